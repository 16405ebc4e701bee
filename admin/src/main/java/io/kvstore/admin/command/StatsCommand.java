package io.kvstore.admin.command;

import io.kvstore.admin.stats.ClusterStats;
import io.kvstore.admin.stats.ProxyReading;
import io.kvstore.config.BackendAuth;
import io.kvstore.config.store.ClusterStore;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvstore-admin stats CLUSTER [--watch SECONDS] [--json]}: reads every proxy registered in
 * ZooKeeper over its RESP port twice, an interval apart, and prints one table for the cluster
 * ({@link ClusterStats}). With {@code --watch} it keeps reading and redraws in place. Main thread
 * only; the proxies are read one after another.
 */
@Command(name = "stats", description = {"One table for the whole cluster, read from every registered proxy:",
        "per proxy requests/s, p50/p99/p99.9 (microseconds, since the proxy's start), errors/s, clients;",
        "per group the backend p50/p99; the hot keys summed over the proxies."},
        footer = {"", "stats exits 0 when every proxy was read, 1 when ZooKeeper or a proxy could not be read, 3 when the"
                + " cluster does not exist."})
public final class StatsCommand extends AdminCommand {

    @Parameters(index = "0", paramLabel = "CLUSTER")
    String cluster;

    @Option(names = "--watch", paramLabel = "SECONDS", description = "Read again every SECONDS and redraw in place (Ctrl-C to stop).")
    Integer watch;

    @Option(names = "--count", paramLabel = "N", description = "With --watch: stop after N tables (default: until stopped).")
    Integer count;

    @Option(names = "--interval-ms", defaultValue = "1000",
            description = "Without --watch: time between the two readings rates are taken from (default: ${DEFAULT-VALUE}).")
    long intervalMs;

    @Option(names = "--json", description = "Print JSON for scripts (one object per table).")
    boolean json;

    @Mixin
    ProxyLogin proxyLogin;

    @Option(names = "--proxy-timeout-ms", defaultValue = "2000", description = "Connect and reply timeout per proxy (default: ${DEFAULT-VALUE}).")
    int timeoutMs;

    @Override
    protected int run() {
        if (watch != null && watch < 1 || count != null && count < 1 || intervalMs < 1) {
            throw new IllegalArgumentException("--watch, --count and --interval-ms must be positive");
        }
        List<ClusterStore.Registration> proxies;
        try (ClusterStore store = openStore()) {
            store.read(cluster); // NotFound: exit 3
            proxies = store.proxies(cluster);
        }
        List<ProxyReading> earlier = readAll(proxies);
        long pause = watch == null ? intervalMs : watch * 1000L;
        boolean unreadable = false;
        for (int shown = 0; watch == null ? shown < 1 : count == null || shown < count; shown++) {
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            List<ProxyReading> later = readAll(proxies);
            ClusterStats stats = new ClusterStats(cluster, earlier, later);
            unreadable = stats.anyUnreadable();
            if (json) {
                printJson(stats.json(JSON));
            } else {
                out().print((watch != null ? "\033[H\033[2J" : "") + stats.table()); // home and clear: redraw in place
                out().flush();
            }
            earlier = later;
        }
        return unreadable ? Exit.UNREACHABLE : Exit.OK;
    }

    private List<ProxyReading> readAll(List<ClusterStore.Registration> proxies) {
        BackendAuth auth = proxyLogin.auth();
        List<ProxyReading> out = new ArrayList<>();
        for (ClusterStore.Registration r : proxies) {
            if (r.proxy() != null) {
                out.add(ProxyReading.read(r.id(), r.proxy().address(), auth, timeoutMs));
            }
        }
        return out;
    }
}
