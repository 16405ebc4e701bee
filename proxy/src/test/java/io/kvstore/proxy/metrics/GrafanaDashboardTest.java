package io.kvstore.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.HostPort;
import io.kvstore.proxy.hotkeys.HotKeys;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * doc/grafana-kvstore.json queries only metrics the proxy exports: every metric selector in its
 * PromQL expressions (and its variables' queries) is looked up in a real proxy's /metrics,
 * scraped over HTTP after traffic that makes every series exist (hot keys, a protocol error).
 */
class GrafanaDashboardTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(2);

    private static final Path DASHBOARD = Path.of("..", "doc", "grafana-kvstore.json");
    /** A metric selector: a name followed by its label matchers or a range. */
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*[{\\[]");
    private static final Pattern EXPR = Pattern.compile("\"(?:expr|query)\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The metric names the dashboard's PromQL expressions select. */
    static Set<String> queried(String dashboardJson) {
        Set<String> names = new TreeSet<>();
        Matcher expr = EXPR.matcher(dashboardJson);
        while (expr.find()) {
            String promql = expr.group(1).replace("\\\"", "\"");
            Matcher m = SELECTOR.matcher(promql.replaceAll("label_values\\(([a-zA-Z_:][a-zA-Z0-9_:]*)", "$1{"));
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The sample names in a Prometheus text exposition. */
    static Set<String> exported(String body) {
        Set<String> names = new TreeSet<>();
        for (String line : body.split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws Exception {
        Set<String> queried = queried(Files.readString(DASHBOARD, StandardCharsets.UTF_8));
        assertTrue(queried.size() >= 25, "the expressions were parsed: " + queried);
        HotKeys hot = cluster.proxy().context().stats().hotKeys();
        hot.configure(1, 3, 1);
        try (MetricsServer metrics = MetricsServer.start(HostPort.parse("127.0.0.1:0"), cluster.proxy().context());
             RespSocket c = RespSocket.connect(cluster.port(), 10_000)) {
            // 100 ms between rounds: a one-second window ends about every ten rounds of GETs
            Await.until("a hot-key window to be published", Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
                for (int n = 0; n < 100; n++) { // a loop takes the new rate at its next sample, up to a few hundred requests away
                    c.call("GET", "dash:k");
                }
                hot.configure(1, 3, 3600); // no window ends while we look: a window with the key stays published
                if (!hot.report().byOps().isEmpty()) {
                    return true;
                }
                hot.configure(1, 3, 1);
                return false;
            });
            try (RespSocket bad = RespSocket.connect(cluster.port(), 10_000)) {
                bad.send("*1\r\n$x\r\n".getBytes(StandardCharsets.US_ASCII));
                bad.read();
            }
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.port()
                    + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            Set<String> exported = exported(body);
            Set<String> missing = new TreeSet<>(queried);
            missing.removeAll(exported);
            assertEquals(Set.of(), missing, "queried by doc/grafana-kvstore.json but not exported");
            Set<String> control = queried("{\"expr\": \"rate(kvstore_nope_total{a=\\\"b\\\"}[1m])\"}");
            control.removeAll(exported);
            assertEquals(Set.of("kvstore_nope_total"), control, "positive control: an unknown name is caught");
        } finally {
            hot.configure(HotKeys.DEFAULT_RATE, HotKeys.DEFAULT_TOP, HotKeys.DEFAULT_WINDOW_SECONDS);
        }
    }
}
