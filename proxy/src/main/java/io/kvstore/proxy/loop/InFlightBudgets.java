package io.kvstore.proxy.loop;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The proxy-wide bound on requests in flight ({@code --max-requests-in-flight}), split evenly
 * over the event loops: each loop gets its own {@link InFlightBudget}, so no loop ever touches
 * another's count. Thread-safe: the bound is immutable and the list of shares is copy-on-write
 * (added to once per loop at start-up, read by INFO from any loop).
 *
 * <p>A share is {@code bound / loops}, at least 1, so the sum never exceeds the bound unless the
 * bound is smaller than the number of loops.
 */
public final class InFlightBudgets {

    private final int bound;
    private final CopyOnWriteArrayList<InFlightBudget> loops = new CopyOnWriteArrayList<>();

    /** {@code bound}: requests in flight over the whole proxy; 0 = no bound. */
    public InFlightBudgets(int bound) {
        if (bound < 0) {
            throw new IllegalArgumentException("bound " + bound);
        }
        this.bound = bound;
    }

    /** The share of one of {@code loopCount} loops, registered for INFO. */
    public InFlightBudget newLoop(int loopCount) {
        InFlightBudget b = new InFlightBudget(bound == 0 ? 0 : Math.max(1, bound / Math.max(1, loopCount)));
        loops.add(b);
        return b;
    }

    /** Requests read and not yet answered, summed over the loops (each figure a moment old). */
    public long inFlight() {
        long sum = 0;
        for (InFlightBudget b : loops) {
            sum += b.inFlight();
        }
        return sum;
    }

    /** The highest count one loop reached since start (compare with the bound divided by the loops). */
    public int loopPeak() {
        int peak = 0;
        for (InFlightBudget b : loops) {
            peak = Math.max(peak, b.peak());
        }
        return peak;
    }

    /**
     * Lines of INFO's {@code # Proxy}: the count now, the bound and one loop's share of it, the
     * highest count one loop reached, and how often the bound stopped a client's reading.
     */
    public String info() {
        long pauses = 0;
        for (InFlightBudget b : loops) {
            pauses += b.pauses();
        }
        return "requests_in_flight:" + inFlight() + "\r\n"
                + "max_requests_in_flight:" + bound + "\r\n"
                + "requests_in_flight_loop_share:" + (loops.isEmpty() ? 0 : loops.get(0).share()) + "\r\n"
                + "requests_in_flight_loop_peak:" + loopPeak() + "\r\n"
                + "reads_paused_by_max_requests_in_flight:" + pauses + "\r\n";
    }
}
