package io.kvstore.proxy.hotkeys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.HostPort;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.metrics.MetricsServer;
import io.kvstore.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hot keys through a real proxy over two redis-servers: a skewed workload from two clients (so
 * both event loops sample), then INFO hotkeys ranks the hot key first by requests and the big
 * value first by bytes, and /metrics, scraped over HTTP, has the same keys and the proxy's event
 * metrics (backend connects, protocol errors).
 */
class HotKeysIntegrationTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(2);

    @Test
    void infoHotkeysAndMetricsShowTheHotKeys() throws Exception {
        HotKeys hot = cluster.proxy().context().stats().hotKeys();
        hot.configure(1, 3, 1); // every request, windows of one second
        try (MetricsServer metrics = MetricsServer.start(HostPort.parse("127.0.0.1:0"), cluster.proxy().context());
             RespSocket a = RespSocket.connect(cluster.port(), 10_000);
             RespSocket b = RespSocket.connect(cluster.port(), 10_000)) {
            String big = "v".repeat(20_000);
            a.call("SET", "hk:big", big);
            // windows end every second: ten rounds of the workload, 100 ms apart, fill one
            String info = Await.value("INFO hotkeys to show hk:big", Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
                for (int i = 0; i < 50; i++) {
                    a.call("GET", "hk:hot");
                    b.call("GET", "hk:hot");
                    a.call("GET", "hk:cold" + i);
                }
                a.call("GET", "hk:big");
                a.call("MGET", "hk:hot", "hk:warm");
                hot.configure(1, 3, 3600); // no window ends while we look: what INFO shows stays published
                String shown = (String) a.call("INFO", "hotkeys");
                if (shown.contains("key=hk:big")) {
                    return shown;
                }
                hot.configure(1, 3, 1);
                return null;
            });
            assertTrue(info.contains("# Hotkeys\r\nhotkeys_sample_rate:1.0\r\nhotkeys_top:3\r\nhotkeys_window_seconds:3600\r\n"), info);
            assertTrue(Pattern.compile("hotkey_ops_1:ops_per_sec=[0-9.]+,bytes_per_sec=[0-9.]+,key=hk:hot\r\n").matcher(info).find(), info);
            assertTrue(Pattern.compile("hotkey_bytes_1:ops_per_sec=[0-9.]+,bytes_per_sec=[0-9.]+,key=hk:big\r\n").matcher(info).find(), info);
            assertEquals(3, info.lines().filter(l -> l.startsWith("hotkey_ops_")).count(), info);
            assertTrue(!info.contains("# Server"), "INFO hotkeys is the proxy's section only: " + info);

            try (RespSocket bad = RespSocket.connect(cluster.port(), 10_000)) {
                bad.send("*1\r\n$x\r\n".getBytes(StandardCharsets.US_ASCII));
                assertTrue(bad.read().toString().contains("Protocol error"));
            }
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.port() + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(Pattern.compile("kvstore_hotkey_requests_per_second\\{key=\"hk:hot\",rank=\"1\"} [0-9.eE]+").matcher(body).find(), body);
            assertTrue(Pattern.compile("kvstore_hotkey_bytes_per_second\\{key=\"hk:big\",rank=\"1\"} [0-9.eE]+").matcher(body).find(), body);
            assertTrue(Pattern.compile("kvstore_backend_connects_total\\{group=\"g0\",server=\"[0-9.:]+\"} [1-9]").matcher(body).find(), body);
            assertTrue(Pattern.compile("kvstore_backend_connections_open\\{group=\"g1\",server=\"[0-9.:]+\"} [1-9]").matcher(body).find(), body);
            assertTrue(body.contains("kvstore_protocol_errors_total{kind=\"bad_length\"} 1"), body);
            assertTrue(body.contains("kvstore_errors_total{kind=\"protocol\"} 1"), body);
            assertTrue(body.contains("kvstore_failovers_seen_total 0"), body);
            assertTrue(body.contains("kvstore_migration_holds_total 0"), body);

            hot.configure(0, 3, 1); // off: the next whole window is empty
            String off = Await.value("a whole window with sampling off", Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
                a.call("GET", "hk:hot");
                String shown = (String) a.call("INFO", "hotkeys");
                return shown.contains("hotkey_ops_1:") ? null : shown;
            });
            assertTrue(off.contains("hotkeys_sample_rate:0.0") && !off.contains("hotkey_ops_1:"), off);
        } finally {
            hot.configure(HotKeys.DEFAULT_RATE, HotKeys.DEFAULT_TOP, HotKeys.DEFAULT_WINDOW_SECONDS);
        }
    }
}
