package io.kvstore.proxy.stats;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * The proxy's latency and call figures, merged on read from every loop's {@link LoopStats}, and
 * the slow log. Event loops only write their own {@code LoopStats}; a reader (INFO on any loop,
 * the metrics thread) drains every loop's recorders into the cumulative histograms here, under
 * this object's lock, which no event loop takes while recording.
 */
public final class ProxyStats {

    private final CopyOnWriteArrayList<LoopStats> loops = new CopyOnWriteArrayList<>();
    private final Map<String, Histogram> commandHistograms = new TreeMap<>();
    private final Map<HostPort, Histogram> backendHistograms = new java.util.HashMap<>();
    private final SlowLog slowLog = new SlowLog();
    private final io.kvstore.proxy.hotkeys.HotKeys hotKeys = new io.kvstore.proxy.hotkeys.HotKeys();
    private final LatencyMonitor latencyMonitor = new LatencyMonitor();
    /** The counts at the last {@link #reset}, subtracted on read. */
    private final Map<String, long[]> commandBase = new java.util.HashMap<>();
    private final Map<HostPort, long[]> backendBase = new java.util.HashMap<>();
    private final long[] errorBase = new long[ErrorKind.values().length];
    private volatile boolean enabled = true;

    /** A new loop's figures; called once per worker loop at start-up. */
    public LoopStats newLoop() {
        LoopStats s = new LoopStats(this);
        loops.add(s);
        return s;
    }

    /** Turns request timing on or off ({@code --latency-tracking}); at start-up, before clients connect. */
    public void enabled(boolean on) {
        enabled = on;
    }

    public boolean enabled() {
        return enabled;
    }

    /** LATENCY's data: the proxy's own events (holds, stalls, reconnects, fences). */
    public LatencyMonitor latencyMonitor() {
        return latencyMonitor;
    }

    /** The hot-key samplers of every loop and their merge. */
    public io.kvstore.proxy.hotkeys.HotKeys hotKeys() {
        return hotKeys;
    }

    public SlowLog slowLog() {
        return slowLog;
    }

    /** Every command called since start or the last {@link #reset}, by name, summed over the loops. */
    public synchronized List<Figures> commands() {
        Map<String, long[]> counts = commandCounts();
        List<Figures> out = new ArrayList<>();
        counts.forEach((name, c) -> {
            long[] b = commandBase.getOrDefault(name, new long[4]);
            out.add(new Figures(name, c[0] - b[0], c[1] - b[1], c[2] - b[2], c[3] - b[3], commandHistograms.get(name).copy()));
        });
        return out;
    }

    /**
     * Starts every figure over (CONFIG RESETSTAT): the loops' counters only grow, since only their
     * loop may write them, so the counts now become the base later reads subtract; the merged
     * histograms are drained and cleared. The slow log is left alone (SLOWLOG RESET), as in Redis.
     */
    public synchronized void reset() {
        commandBase.clear();
        commandBase.putAll(commandCounts());
        backendBase.clear();
        backendBase.putAll(backendCounts());
        for (ErrorKind k : ErrorKind.values()) {
            errorBase[k.ordinal()] = rawErrors(k);
        }
        commandHistograms.values().forEach(Histogram::reset);
        backendHistograms.values().forEach(Histogram::reset);
    }

    /** The loops' cumulative counts per command (calls, nanoseconds, failed, rejected), their recorders drained. */
    private Map<String, long[]> commandCounts() {
        Map<String, long[]> counts = new TreeMap<>();
        for (LoopStats loop : loops) {
            loop.commands().forEach((name, s) -> {
                s.total().drainInto(commandHistograms.computeIfAbsent(name, n -> new Histogram(Latency.DIGITS)));
                long[] c = counts.computeIfAbsent(name, n -> new long[4]);
                c[0] += s.calls();
                c[1] += s.total().sumNanos();
                c[2] += s.failed();
                c[3] += s.rejected();
            });
        }
        return counts;
    }

    /** Error replies to clients by kind, summed over the loops. */
    public synchronized Map<ErrorKind, Long> errors() {
        Map<ErrorKind, Long> out = new java.util.EnumMap<>(ErrorKind.class);
        for (ErrorKind k : ErrorKind.values()) {
            out.put(k, rawErrors(k) - errorBase[k.ordinal()]);
        }
        return out;
    }

    private long rawErrors(ErrorKind k) {
        return loops.stream().mapToLong(l -> l.errors(k)).sum();
    }

    /** Backend time of every server the loops sent to, summed over the loops. */
    public synchronized Map<HostPort, Figures> backends() {
        Map<HostPort, long[]> counts = backendCounts();
        Map<HostPort, Figures> out = new java.util.HashMap<>();
        counts.forEach((server, c) -> {
            long[] b = backendBase.getOrDefault(server, new long[2]);
            Histogram h = backendHistograms.get(server).copy();
            out.put(server, new Figures(server.toString(), h.getTotalCount(), c[0] - b[0], c[1] - b[1], 0, h));
        });
        return out;
    }

    /** The loops' cumulative counts per server (nanoseconds, errors), their recorders drained. */
    private Map<HostPort, long[]> backendCounts() {
        Map<HostPort, long[]> counts = new java.util.HashMap<>();
        for (LoopStats loop : loops) {
            loop.backends().forEach((server, l) -> {
                l.drainInto(backendHistograms.computeIfAbsent(server, n -> new Histogram(Latency.DIGITS)));
                long[] c = counts.computeIfAbsent(server, n -> new long[2]);
                c[0] += l.sumNanos();
                c[1] += l.errors();
            });
        }
        return counts;
    }

    /**
     * Connection events per server, summed over the loops' shared connections since start (not
     * reset by {@link #reset}: they are counters of the connections' lives): connects, connect
     * failures, losses, stalls.
     */
    public Map<HostPort, long[]> backendEvents() {
        Map<HostPort, long[]> out = new java.util.HashMap<>();
        for (LoopStats loop : loops) {
            loop.backendEvents().forEach((server, e) -> e.addTo(out.computeIfAbsent(server, s -> new long[4])));
        }
        return out;
    }

    /** Protocol errors of clients by kind, summed over the loops since start. */
    public Map<String, Long> protocolErrors() {
        Map<String, Long> out = new TreeMap<>();
        for (LoopStats loop : loops) {
            loop.protocolErrors().forEach((kind, n) -> out.merge(kind, n.get(), Long::sum));
        }
        return out;
    }

    /** Backend figures of each group of {@code map}, by the group's master; groups never sent to are left out. */
    public Map<Group, Figures> groups(SlotMap map) {
        Map<HostPort, Figures> servers = backends();
        Map<Group, Figures> out = new java.util.LinkedHashMap<>();
        for (Group g : map.groups()) {
            Figures f = servers.get(g.master());
            if (f != null) {
                out.put(g, f);
            }
        }
        return out;
    }

    /** INFO's {@code # Commandstats}, in Redis 7's format. */
    public String commandStatsSection() {
        return section("# Commandstats", f -> "cmdstat_" + f.name() + ":calls=" + f.calls() + ",usec=" + f.sumNanos() / 1000
                + ",usec_per_call=" + String.format(Locale.ROOT, "%.2f", f.calls() == 0 ? 0.0 : f.sumNanos() / 1000.0 / f.calls())
                + ",rejected_calls=" + f.rejected() + ",failed_calls=" + f.failed());
    }

    /** INFO's {@code # Latencystats}, in Redis 7's format: total time in the proxy per command. */
    public String latencyStatsSection() {
        return section("# Latencystats", f -> f.calls() == 0 ? null : "latency_percentiles_usec_" + f.name() + ":" + f.percentiles());
    }

    private String section(String header, Function<Figures, String> line) {
        StringBuilder out = new StringBuilder(header).append("\r\n");
        for (Figures f : commands()) {
            String l = line.apply(f);
            if (l != null) {
                out.append(l).append("\r\n");
            }
        }
        return out.toString();
    }

    /**
     * Lines of INFO's {@code # Proxy} about every command together: the percentiles of the time in
     * the proxy and the error replies (failed and rejected calls), for {@code kvstore-admin stats}.
     */
    public String summaryLines() {
        Histogram all = new Histogram(Latency.DIGITS);
        long errors = 0;
        for (Figures f : commands()) {
            all.add(f.histogram());
            errors += f.failed() + f.rejected();
        }
        Figures sum = new Figures("all", all.getTotalCount(), 0, errors, 0, all);
        return "proxy_latency_percentiles_usec:" + sum.percentiles() + "\r\n" + "proxy_error_replies:" + errors + "\r\n";
    }

    /** Lines of INFO's {@code # Proxy}: backend time and errors per group of {@code map}. */
    public String groupLines(SlotMap map) {
        StringBuilder out = new StringBuilder();
        groups(map).forEach((g, f) -> out.append("backend_").append(g.id()).append(":master=").append(g.master())
                .append(",calls=").append(f.calls()).append(",errors=").append(f.failed())
                .append(',').append(f.percentiles()).append("\r\n"));
        return out.toString();
    }
}
