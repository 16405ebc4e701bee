package io.kvstore.admin.reshard;

/**
 * The key rate that keeps latency within a bound, decided window by window (AIMD, as TCP paces
 * its sending): after a single window whose p99 exceeded {@code ratio} x the baseline the rate is
 * halved, from what was actually moved if that was less (a limit the mover never reached would
 * otherwise take many halvings to bite); after a window below the target ({@code target} x the
 * bound) in which the mover used most of its rate, it grows by a quarter (at least
 * {@code minStep}); between the target and the bound it holds. So it saws below the target, not
 * at the bound: a window's p99 is a few hundred samples and swings, and a rate tuned to the edge
 * crossed it in two runs of three (measured). Never below {@code floor} (the move always ends) nor
 * above {@code ceiling} (the operator's --rate). A pure function of what it is told; one thread only.
 */
final class LatencyPacer {

    /** A window is "used" when the mover moved at least this share of the rate in it. */
    static final double USED = 0.8;

    private final double boundMicros;
    private final double targetMicros;
    private final int floor;
    private final int ceiling;
    private final int minStep;
    private int rate;
    private long decreases;

    /**
     * @param baselineMicros the p99 before the move
     * @param ratio          the p99 allowed during the move, in multiples of the baseline
     * @param target         the share of the bound below which the rate may grow, 0 < target <= 1
     * @param start          the first window's rate, keys per second
     */
    LatencyPacer(double baselineMicros, double ratio, double target, int start, int floor, int ceiling, int minStep) {
        if (floor < 1 || ceiling < floor || ratio <= 1 || baselineMicros <= 0 || target <= 0 || target > 1) {
            throw new IllegalArgumentException("need 0 < floor <= ceiling, ratio > 1, 0 < target <= 1 and a positive baseline");
        }
        this.boundMicros = baselineMicros * ratio;
        this.targetMicros = boundMicros * target;
        this.floor = floor;
        this.ceiling = ceiling;
        this.minStep = minStep;
        this.rate = Math.max(floor, Math.min(ceiling, start));
    }

    /** The rate in force, keys per second. */
    int rate() {
        return rate;
    }

    /** The p99 above which the rate is cut, microseconds. */
    double boundMicros() {
        return boundMicros;
    }

    /** The p99 below which the rate may grow, microseconds. */
    double targetMicros() {
        return targetMicros;
    }

    /** How many times a window over the bound cut the rate. */
    long decreases() {
        return decreases;
    }

    /** One window ended with {@code p99Micros} of latency and {@code movedPerSecond} keys moved; returns the next rate. */
    int window(double p99Micros, double movedPerSecond) {
        if (p99Micros > boundMicros) {
            decreases++;
            rate = (int) Math.max(floor, Math.min(rate, movedPerSecond) / 2);
        } else if (p99Micros <= targetMicros && movedPerSecond >= rate * USED) {
            rate = (int) Math.min(ceiling, (long) rate + Math.max(minStep, rate / 4));
        }
        return rate;
    }
}
