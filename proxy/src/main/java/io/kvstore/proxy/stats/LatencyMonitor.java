package io.kvstore.proxy.stats;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * LATENCY's data for the proxy's own events, as Redis keeps it for its own: per event the last
 * {@link #SAMPLES} samples of one second each (two events in the same second keep the larger) and
 * the largest ever, for events that lasted at least {@code --latency-monitor-threshold-ms} (0: none
 * recorded). The events: {@code migration-hold} (a request held on a frozen slot, until let go),
 * {@code backend-stall} (no reply from a backend until its connection was closed),
 * {@code backend-reconnect} (a backend unreachable, from the first failed connect to the next
 * connect) and {@code fence} (the proxy refusing keys, from fence to unfence).
 *
 * <p>Thread-safe: recorders on any event loop and readers take this object's lock. Events are rare
 * (each is a stall, an outage or a migration step), never one per request, so the lock is off the
 * request path.
 */
public final class LatencyMonitor {

    /** Samples kept per event, as Redis's LATENCY_TS_LEN. */
    public static final int SAMPLES = 160;

    /** One second's sample: its Unix time and the largest duration in it, in milliseconds. */
    public record Sample(long unixSeconds, long millis) {
    }

    /** LATENCY LATEST's entry of one event. */
    public record Latest(String event, long unixSeconds, long millis, long maxMillis) {
    }

    private static final class Series {
        final ArrayDeque<Sample> samples = new ArrayDeque<>();
        long max;
    }

    private final Map<String, Series> events = new TreeMap<>();
    private volatile long thresholdMillis = 100;

    /** Sets {@code --latency-monitor-threshold-ms} (0: off); negative values are refused. */
    public void threshold(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("--latency-monitor-threshold-ms must be 0 (off) or more: " + millis);
        }
        thresholdMillis = millis;
    }

    public long threshold() {
        return thresholdMillis;
    }

    /** Records that {@code event} lasted {@code millis}, if that reaches the threshold. From any thread. */
    public void record(String event, long millis) {
        long threshold = thresholdMillis;
        if (threshold <= 0 || millis < threshold) {
            return;
        }
        long now = System.currentTimeMillis() / 1000;
        synchronized (this) {
            Series s = events.computeIfAbsent(event, e -> new Series());
            Sample last = s.samples.peekLast();
            if (last != null && last.unixSeconds() == now) {
                s.samples.pollLast();
                millis = Math.max(millis, last.millis());
            }
            s.samples.addLast(new Sample(now, millis));
            if (s.samples.size() > SAMPLES) {
                s.samples.pollFirst();
            }
            s.max = Math.max(s.max, millis);
        }
    }

    /** LATENCY LATEST: every event's newest sample and its largest, by event name. */
    public synchronized List<Latest> latest() {
        List<Latest> out = new ArrayList<>();
        events.forEach((e, s) -> out.add(new Latest(e, s.samples.getLast().unixSeconds(), s.samples.getLast().millis(), s.max)));
        return out;
    }

    /** LATENCY HISTORY event: its samples, oldest first (empty for an event never recorded). */
    public synchronized List<Sample> history(String event) {
        Series s = events.get(event);
        return s == null ? List.of() : List.copyOf(s.samples);
    }

    /** LATENCY RESET [event ...]: forgets the events named, or all; returns how many there were. */
    public synchronized int reset(List<String> names) {
        if (names.isEmpty()) {
            int n = events.size();
            events.clear();
            return n;
        }
        int n = 0;
        for (String e : names) {
            if (events.remove(e) != null) {
                n++;
            }
        }
        return n;
    }
}
