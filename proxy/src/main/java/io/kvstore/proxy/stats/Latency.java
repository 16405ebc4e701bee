package io.kvstore.proxy.stats;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Latencies recorded by one event loop, in nanoseconds: a {@link SingleWriterRecorder} (wait-free
 * for its one writer, no allocation once its histogram has grown to the values seen) and a count
 * of errors. Read by any thread through {@link #drainInto}, which readers serialise.
 */
final class Latency {

    /** Redis keeps its latency histograms to 2 significant digits too. */
    static final int DIGITS = 2;

    private final SingleWriterRecorder recorder = new SingleWriterRecorder(DIGITS);
    private final Counter errors = new Counter();
    private final Counter sumNanos = new Counter();
    private Histogram spare;

    /** Records one latency; only from the owning loop. */
    void record(long nanos) {
        recorder.recordValue(Math.max(0, nanos));
        sumNanos.add(nanos);
    }

    /** Counts one error; only from the owning loop. */
    void error() {
        errors.add(1);
    }

    long errors() {
        return errors.get();
    }

    long sumNanos() {
        return sumNanos.get();
    }

    /** Adds what was recorded since the last drain to {@code into}; callers hold one lock for all drains. */
    void drainInto(Histogram into) {
        spare = recorder.getIntervalHistogram(spare);
        into.add(spare);
    }
}
