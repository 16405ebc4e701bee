package io.kvstore.admin.reshard;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.HostPort;
import io.kvstore.config.redis.RespClient;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Measures what a client of the cluster waits: the round trip of one cheap command per target,
 * each on a connection of its own, sampled every few milliseconds. Two kinds of target:
 * {@link #throughProxies} sends {@code EXISTS} of a key that hashes to a slot a source group keeps
 * (so the proxy forwards it to that group's master) through each registered proxy, and measures
 * exactly what clients see, the proxy's own share included; {@link #servers} PINGs the masters
 * directly, the fallback when no proxy answers (its baseline is the servers' alone, several times
 * lower than clients see, so the bound is tight and noise alone crosses it). Either queues behind
 * whatever the server is doing, a MIGRATE batch included, as a client's command does. The
 * proxies' INFO latency figures cannot serve: they are cumulative since start, not a window.
 * Owned by the pacing thread.
 */
final class LatencyProbe implements Closeable {

    private static final int TIMEOUT_MILLIS = 5_000;

    /** One probe: a connection and the command sampled on it. */
    private record Target(RespClient client, String[] command) {
    }

    private final List<RespClient> connections = new ArrayList<>();
    private final List<Target> targets = new ArrayList<>();
    private final String via;
    private int lastSamples;

    private LatencyProbe(String via) {
        this.via = via;
    }

    /** PINGs every server in {@code addresses} directly. */
    static LatencyProbe servers(List<HostPort> addresses, BackendAuth auth) throws IOException {
        LatencyProbe p = new LatencyProbe("servers");
        try {
            for (HostPort a : addresses) {
                p.targets.add(new Target(p.connect(a, auth), new String[] {"PING"}));
            }
        } catch (IOException e) {
            p.close();
            throw e;
        }
        return p;
    }

    /**
     * {@code EXISTS key} for every key of {@code keys} through every proxy of {@code proxies} that
     * answers it (a proxy that does not is left out: it may be stopping); null when none answers.
     */
    static LatencyProbe throughProxies(List<HostPort> proxies, BackendAuth auth, Collection<String> keys) {
        LatencyProbe p = new LatencyProbe("proxies");
        for (HostPort a : proxies) {
            try {
                RespClient c = p.connect(a, auth);
                for (String k : keys) {
                    c.call("EXISTS", k); // checks the route works (e.g. AUTH, ACL) before it counts
                    p.targets.add(new Target(c, new String[] {"EXISTS", k}));
                }
            } catch (IOException e) {
                p.targets.removeIf(t -> t.client().address().equals(a));
            }
        }
        if (p.targets.isEmpty()) {
            p.close();
            return null;
        }
        return p;
    }

    private RespClient connect(HostPort a, BackendAuth auth) throws IOException {
        RespClient c = RespClient.connect(a, auth, TIMEOUT_MILLIS);
        connections.add(c);
        return c;
    }

    /** What is probed: {@code "proxies"} or {@code "servers"}. */
    String via() {
        return via;
    }

    /** How many commands each sample sends (targets). */
    int targets() {
        return targets.size();
    }

    /** How many round trips the last window's p99 was taken over. */
    int lastSamples() {
        return lastSamples;
    }

    /** Sends every target's command every {@code intervalMillis} for {@code windowMillis}; returns the p99 round trip in microseconds. */
    double p99Micros(long windowMillis, long intervalMillis) throws IOException {
        long end = System.nanoTime() + windowMillis * 1_000_000;
        long[] samples = new long[(int) (windowMillis / Math.max(1, intervalMillis) + 1) * targets.size()];
        int n = 0;
        while (n + targets.size() <= samples.length) {
            for (Target t : targets) {
                long t0 = System.nanoTime();
                t.client().call(t.command());
                samples[n++] = System.nanoTime() - t0;
            }
            if (System.nanoTime() >= end) {
                break;
            }
            sleep(intervalMillis);
        }
        lastSamples = n;
        return percentile(Arrays.copyOf(samples, n), 0.99) / 1000.0;
    }

    /** The {@code q} quantile of {@code values} (nearest rank); 0 for none. */
    static long percentile(long[] values, double q) {
        if (values.length == 0) {
            return 0;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while probing latency", e);
        }
    }

    @Override
    public void close() {
        connections.forEach(RespClient::close);
    }
}
