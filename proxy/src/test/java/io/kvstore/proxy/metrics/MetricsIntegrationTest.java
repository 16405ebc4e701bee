package io.kvstore.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.HostPort;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.it.support.SlowScript;
import io.kvstore.proxy.route.ClusterState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The metrics endpoint scraped over real HTTP: latency and counts per command class and per group
 * after known commands (one slow: a 20 ms Lua busy loop), errors by kind, JVM figures, and
 * /health and /ready following the proxy's fence.
 */
class MetricsIntegrationTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(2);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void metricsHealthAndReadyOverHttp() throws Exception {
        try (MetricsServer metrics = MetricsServer.start(HostPort.parse("127.0.0.1:0"), cluster.proxy().context());
             RespSocket c = RespSocket.connect(cluster.port(), 10_000)) {
            c.call("SET", "metrics:a", "1");
            c.call("GET", "metrics:a");
            c.call("MGET", "metrics:a", "metrics:b", "metrics:c");
            c.call("SUNION", "metrics:a", "metrics:b"); // CROSSSLOT when the keys are on two groups, else WRONGTYPE
            assertEquals(1L, c.call("EVAL", SlowScript.BUSY, "1", "metrics:busy"));
            HttpResponse<String> r = get(metrics, "/metrics");
            assertEquals(200, r.statusCode());
            String body = r.body();
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), r.headers().toString());
            assertTrue(Pattern.compile("kvstore_requests_total\\{command_class=\"single\"} [2-9]").matcher(body).find(), body);
            assertTrue(body.contains("kvstore_requests_total{command_class=\"split_mget\"} 1"), body);
            Matcher slow = Pattern.compile("kvstore_request_latency_seconds\\{command_class=\"movable_keys\",quantile=\"0\\.999\"} ([0-9.eE-]+)")
                    .matcher(body);
            assertTrue(slow.find(), body);
            assertTrue(Double.parseDouble(slow.group(1)) >= 0.0198, "the busy loop took 20 ms: " + slow.group());
            assertTrue(Pattern.compile("kvstore_backend_latency_seconds_count\\{group=\"g0\"} [1-9]").matcher(body).find(), body);
            assertTrue(body.contains("kvstore_backend_errors_total{group=\"g1\"}"), body);
            assertTrue(Pattern.compile("kvstore_errors_total\\{kind=\"(crossslot|other)\"} 1").matcher(body).find(), body);
            assertTrue(body.contains("kvstore_slot_map_epoch " + cluster.map().epoch()), body);
            assertTrue(Pattern.compile("kvstore_connected_clients [1-9]").matcher(body).find(), body);
            assertTrue(body.contains("jvm_memory_used_bytes{area=\"heap\"}"), body);
            assertTrue(body.contains("jvm_gc_collection_seconds_count"), body);

            assertEquals(200, get(metrics, "/health").statusCode());
            assertEquals(200, get(metrics, "/ready").statusCode());
            ClusterState state = cluster.proxy().context().cluster();
            state.fence("testing");
            try {
                HttpResponse<String> notReady = get(metrics, "/ready");
                assertEquals(503, notReady.statusCode());
                assertTrue(notReady.body().contains("testing"), notReady.body());
                assertTrue(get(metrics, "/metrics").body().contains("kvstore_ready 0"));
                assertEquals(200, get(metrics, "/health").statusCode(), "fenced is not dead");
            } finally {
                state.unfence();
            }
            assertEquals(404, get(metrics, "/nothing").statusCode());
        }
    }

    private HttpResponse<String> get(MetricsServer metrics, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
