package io.kvstore.proxy.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kvstore.config.HostPort;
import io.kvstore.proxy.session.ProxyContext;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code --metrics-listen}: a small HTTP server, off the event loops (the JDK's server with one
 * thread of its own, {@code kvstore-metrics}), serving {@code /metrics} (Prometheus text format:
 * the proxy's figures and the JVM's memory, GC and threads), {@code /health} (200 while the
 * process serves) and {@code /ready} (200 when the slot map is applied and the proxy is not
 * fenced, else 503 with the reason). A scrape reads the merged figures; it never touches a channel.
 */
public final class MetricsServer implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MetricsServer.class);

    private final HttpServer http;
    private final ExecutorService thread;

    private MetricsServer(HttpServer http, ExecutorService thread) {
        this.http = http;
        this.thread = thread;
    }

    /** Binds {@code listen} (port 0: any free port) and serves {@code proxy}'s figures. */
    public static MetricsServer start(HostPort listen, ProxyContext proxy) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new ProxyCollector(proxy));
        registry.register(new EventCollector(proxy));
        registry.register(new HotKeyCollector(proxy.stats().hotKeys()));
        JvmMetrics.builder().register(registry);
        PrometheusTextFormatWriter writer = new PrometheusTextFormatWriter(false);
        HttpServer http = HttpServer.create(new InetSocketAddress(listen.host(), listen.port()), 16);
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kvstore-metrics");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(thread);
        http.createContext("/", ex -> {
            switch (ex.getRequestURI().getPath()) {
                case "/metrics" -> {
                    ByteArrayOutputStream body = new ByteArrayOutputStream();
                    writer.write(body, registry.scrape());
                    respond(ex, 200, writer.getContentType(), body.toByteArray());
                }
                case "/health" -> respond(ex, 200, "text/plain", "live\n".getBytes(StandardCharsets.UTF_8));
                case "/ready" -> {
                    String fence = proxy.cluster().fence();
                    respond(ex, fence == null ? 200 : 503, "text/plain",
                            (fence == null ? "ready\n" : "not ready: " + fence + "\n").getBytes(StandardCharsets.UTF_8));
                }
                default -> respond(ex, 404, "text/plain", "not found: /metrics, /health, /ready\n".getBytes(StandardCharsets.UTF_8));
            }
        });
        http.start();
        LOG.info("metrics on http://{}:{}/metrics (and /health, /ready)", listen.host(), http.getAddress().getPort());
        return new MetricsServer(http, thread);
    }

    private static void respond(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The port bound. */
    public int port() {
        return http.getAddress().getPort();
    }

    @Override
    public void close() {
        http.stop(0);
        thread.shutdownNow();
    }
}
