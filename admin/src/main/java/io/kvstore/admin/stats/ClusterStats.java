package io.kvstore.admin.stats;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One view of the whole cluster from two readings of every proxy: per proxy the requests and
 * errors per second between the readings, its latency percentiles and clients; per group the
 * backend percentiles, the worst over the proxies (percentiles of separate proxies cannot be
 * combined: the worst is an upper bound); the hot keys summed over the proxies. Immutable once
 * made; rendered as a table or as JSON.
 */
public final class ClusterStats {

    /** Hot keys shown. */
    static final int HOT_KEYS = 10;

    private final String cluster;
    private final List<ProxyReading> now;
    private final Map<String, ProxyReading> before = new HashMap<>();

    /** {@code earlier}: the previous readings (rates need two), matched to {@code later} by proxy id. */
    public ClusterStats(String cluster, List<ProxyReading> earlier, List<ProxyReading> later) {
        this.cluster = cluster;
        this.now = List.copyOf(later);
        earlier.forEach(r -> before.put(r.id(), r));
    }

    /** Whether some proxy could not be read. */
    public boolean anyUnreadable() {
        return now.stream().anyMatch(r -> r.error() != null);
    }

    private double perSecond(ProxyReading r, java.util.function.ToLongFunction<ProxyReading> counter) {
        ProxyReading b = before.get(r.id());
        if (b == null || b.error() != null || r.error() != null || r.atNanos() <= b.atNanos()) {
            return 0;
        }
        return Math.max(0, counter.applyAsLong(r) - counter.applyAsLong(b)) / ((r.atNanos() - b.atNanos()) / 1e9);
    }

    /** Each group's backend p50 and p99, the worst over the proxies. */
    Map<String, double[]> groups() {
        Map<String, double[]> out = new TreeMap<>();
        for (ProxyReading r : now) {
            r.groups().forEach((g, p) -> {
                double[] worst = out.computeIfAbsent(g, x -> new double[2]);
                worst[0] = Math.max(worst[0], p[0]);
                worst[1] = Math.max(worst[1], p[1]);
            });
        }
        return out;
    }

    /** Hot keys summed over the proxies, by requests per second, highest first. */
    List<ProxyReading.HotKeyLine> hotKeys() {
        Map<String, double[]> sum = new HashMap<>();
        for (ProxyReading r : now) {
            for (ProxyReading.HotKeyLine k : r.hotKeys()) {
                double[] s = sum.computeIfAbsent(k.key(), x -> new double[2]);
                s[0] += k.opsPerSecond();
                s[1] += k.bytesPerSecond();
            }
        }
        List<ProxyReading.HotKeyLine> out = new ArrayList<>();
        sum.forEach((k, s) -> out.add(new ProxyReading.HotKeyLine(k, s[0], s[1])));
        out.sort(Comparator.comparingDouble(ProxyReading.HotKeyLine::opsPerSecond).reversed()
                .thenComparing(ProxyReading.HotKeyLine::key));
        return out.subList(0, Math.min(HOT_KEYS, out.size()));
    }

    /** The table an operator reads. */
    public String table() {
        StringBuilder out = new StringBuilder();
        out.append("cluster ").append(cluster).append(": ").append(now.size()).append(" proxies")
                .append(" (rates over the last interval; latencies in microseconds since each proxy's start)\n");
        out.append(String.format(Locale.ROOT, "%-22s %10s %10s %10s %10s %9s %8s%n", "PROXY", "OPS/S", "P50", "P99", "P99.9",
                "ERRORS/S", "CLIENTS"));
        double ops = 0;
        double errs = 0;
        long clients = 0;
        for (ProxyReading r : now) {
            if (r.error() != null) {
                out.append(String.format(Locale.ROOT, "%-22s unreadable: %s%n", r.address(), r.error()));
                continue;
            }
            double o = perSecond(r, ProxyReading::commands);
            double e = perSecond(r, ProxyReading::errors);
            ops += o;
            errs += e;
            clients += r.clients();
            out.append(String.format(Locale.ROOT, "%-22s %10.0f %10.1f %10.1f %10.1f %9.1f %8d%n", r.address(), o,
                    r.percentiles()[0], r.percentiles()[1], r.percentiles()[2], e, r.clients()));
        }
        out.append(String.format(Locale.ROOT, "%-22s %10.0f %10s %10s %10s %9.1f %8d%n", "total", ops, "", "", "", errs, clients));
        out.append(String.format(Locale.ROOT, "%n%-22s %10s %10s   (backend time, the worst over the proxies)%n", "GROUP", "P50", "P99"));
        groups().forEach((g, p) -> out.append(String.format(Locale.ROOT, "%-22s %10.1f %10.1f%n", g, p[0], p[1])));
        out.append(String.format(Locale.ROOT, "%n%-4s %-40s %12s %14s   (last window, summed over the proxies)%n", "HOT", "KEY",
                "OPS/S", "BYTES/S"));
        List<ProxyReading.HotKeyLine> hot = hotKeys();
        for (int i = 0; i < hot.size(); i++) {
            ProxyReading.HotKeyLine k = hot.get(i);
            out.append(String.format(Locale.ROOT, "%-4d %-40s %12.1f %14.1f%n", i + 1, k.key(), k.opsPerSecond(), k.bytesPerSecond()));
        }
        if (hot.isEmpty()) {
            out.append("(none sampled: --hotkeys-sample-rate 0 on the proxies, or no keyed traffic in the last window)\n");
        }
        return out.toString();
    }

    /** The same for scripts. */
    public ObjectNode json(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.put("cluster", cluster);
        ArrayNode proxies = root.putArray("proxies");
        for (ProxyReading r : now) {
            ObjectNode p = proxies.addObject();
            p.put("id", r.id());
            p.put("address", r.address().toString());
            if (r.error() != null) {
                p.put("error", r.error());
                continue;
            }
            p.put("opsPerSec", perSecond(r, ProxyReading::commands));
            p.put("errorsPerSec", perSecond(r, ProxyReading::errors));
            p.put("p50Us", r.percentiles()[0]);
            p.put("p99Us", r.percentiles()[1]);
            p.put("p999Us", r.percentiles()[2]);
            p.put("commands", r.commands());
            p.put("errors", r.errors());
            p.put("clients", r.clients());
        }
        ArrayNode groups = root.putArray("groups");
        groups().forEach((g, v) -> groups.addObject().put("id", g).put("backendP50Us", v[0]).put("backendP99Us", v[1]));
        ArrayNode hot = root.putArray("hotKeys");
        hotKeys().forEach(k -> hot.addObject().put("key", k.key()).put("opsPerSec", k.opsPerSecond())
                .put("bytesPerSec", k.bytesPerSecond()));
        return root;
    }
}
