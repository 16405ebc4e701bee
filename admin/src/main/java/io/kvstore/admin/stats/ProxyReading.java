package io.kvstore.admin.stats;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.HostPort;
import io.kvstore.config.redis.RespClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one proxy reported at one moment, read over its RESP port with {@code INFO proxy} and
 * {@code INFO hotkeys} (doc/info.md): its counters, latency percentiles since its start, each
 * group's backend percentiles and its hot keys of the last window; or why it could not be read.
 * Immutable value; {@link #read} opens and closes its own connection, so any thread may call it.
 *
 * @param error null when read, else why not (the other fields are then zero or empty)
 */
public record ProxyReading(String id, HostPort address, long atNanos, String error, long commands, long errors, long clients,
                           double[] percentiles, Map<String, double[]> groups, List<HotKeyLine> hotKeys) {

    /** One line of INFO hotkeys: the key in its printable form (doc/info.md), requests and bytes per second. */
    public record HotKeyLine(String key, double opsPerSecond, double bytesPerSecond) {
    }

    /** Reads the proxy at {@code address}, logging in with {@code auth}. */
    public static ProxyReading read(String id, HostPort address, BackendAuth auth, int timeoutMs) {
        try (RespClient c = RespClient.connect(address, auth, timeoutMs)) {
            long at = System.nanoTime();
            Map<String, String> proxy = c.info("proxy");
            if (!proxy.containsKey("proxy_total_commands_processed")) {
                return failed(id, address, "not a kvstore proxy (INFO proxy has no proxy_total_commands_processed)");
            }
            Map<String, double[]> groups = new LinkedHashMap<>();
            proxy.forEach((k, v) -> {
                if (k.startsWith("backend_")) {
                    Map<String, String> f = fields(v);
                    groups.put(k.substring("backend_".length()), new double[] {num(f.get("p50")), num(f.get("p99"))});
                }
            });
            Map<String, String> lat = fields(proxy.getOrDefault("proxy_latency_percentiles_usec", ""));
            List<HotKeyLine> hot = new ArrayList<>();
            Map<String, HotKeyLine> seen = new LinkedHashMap<>();
            String hotText = String.valueOf(c.call("INFO", "hotkeys"));
            for (String line : hotText.split("\r?\n")) {
                int keyAt = line.indexOf(",key=");
                if (line.startsWith("hotkey_") && keyAt > 0) {
                    Map<String, String> f = fields(line.substring(line.indexOf(':') + 1, keyAt));
                    String key = line.substring(keyAt + ",key=".length());
                    seen.putIfAbsent(key, new HotKeyLine(key, num(f.get("ops_per_sec")), num(f.get("bytes_per_sec"))));
                }
            }
            hot.addAll(seen.values());
            return new ProxyReading(id, address, at, null, (long) num(proxy.get("proxy_total_commands_processed")),
                    (long) num(proxy.get("proxy_error_replies")), (long) num(proxy.get("proxy_connected_clients")),
                    new double[] {num(lat.get("p50")), num(lat.get("p99")), num(lat.get("p99.9"))}, groups, hot);
        } catch (IOException | RuntimeException e) {
            return failed(id, address, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private static ProxyReading failed(String id, HostPort address, String why) {
        return new ProxyReading(id, address, System.nanoTime(), why, 0, 0, 0, new double[3], Map.of(), List.of());
    }

    /** {@code a=1,b=2} as a map. */
    static Map<String, String> fields(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return out;
    }

    private static double num(String s) {
        try {
            return s == null ? 0 : Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
