package io.kvstore.proxy.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A count with one writer and any number of readers: the writer adds with a plain read and an
 * ordered store (no lock, no CAS), readers see a value at most a moment old. Written only by the
 * event loop that owns it.
 */
final class Counter {

    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(Counter.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through VALUE
    private long value;

    /** Adds {@code n}; only from the owning thread. */
    void add(long n) {
        VALUE.setRelease(this, (long) VALUE.getOpaque(this) + n);
    }

    /** The count, from any thread. */
    long get() {
        return (long) VALUE.getAcquire(this);
    }
}
