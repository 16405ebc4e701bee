package io.kvstore.admin.reshard;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.HostPort;
import io.kvstore.config.redis.RespClient;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Measures what a client of the cluster's redis-servers waits: the round trip of a PING on a
 * connection of its own to each server, sampled every few milliseconds. A PING queues behind
 * whatever the server is doing, a MIGRATE batch included, exactly as a client's command does, so
 * its percentiles move with the clients' (without the proxy's own, constant, share). The proxies'
 * INFO latency figures cannot serve here: they are cumulative since start (only CONFIG RESETSTAT,
 * which the operator owns, starts them over), not a window. Owned by the pacing thread.
 */
final class LatencyProbe implements Closeable {

    private static final int TIMEOUT_MILLIS = 5_000;

    private final List<RespClient> servers = new ArrayList<>();

    LatencyProbe(List<HostPort> addresses, BackendAuth auth) throws IOException {
        try {
            for (HostPort a : addresses) {
                servers.add(RespClient.connect(a, auth, TIMEOUT_MILLIS));
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /** PINGs every server every {@code intervalMillis} for {@code windowMillis}; returns the p99 round trip in microseconds. */
    double p99Micros(long windowMillis, long intervalMillis) throws IOException {
        long end = System.nanoTime() + windowMillis * 1_000_000;
        long[] samples = new long[(int) (windowMillis / Math.max(1, intervalMillis) + 1) * servers.size()];
        int n = 0;
        while (n + servers.size() <= samples.length) {
            for (RespClient c : servers) {
                long t0 = System.nanoTime();
                c.call("PING");
                samples[n++] = System.nanoTime() - t0;
            }
            if (System.nanoTime() >= end) {
                break;
            }
            sleep(intervalMillis);
        }
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
        servers.forEach(RespClient::close);
    }
}
