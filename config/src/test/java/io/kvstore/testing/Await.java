package io.kvstore.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one way tests wait for something that happens asynchronously: poll a condition until it
 * holds or a deadline passes, then fail naming what was awaited. A timeout is a bound on a hang,
 * never an assertion about speed: pick one generous enough for a loaded CI machine. Stateless;
 * any test thread.
 */
public final class Await {

    /** Between polls: short enough not to slow a test down, long enough not to spin a core. */
    private static final long POLL_MILLIS = 20;

    private Await() {
    }

    /** Polls {@code condition} until it is true; an {@link AssertionError} naming {@code what} after {@code timeout}. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        value(what, timeout, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
    }

    /**
     * Polls {@code probe} until it returns a non-null value and returns that; an
     * {@link AssertionError} naming {@code what} after {@code timeout}.
     */
    public static <T> T value(String what, Duration timeout, Supplier<T> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T found = probe.get();
            if (found != null) {
                return found;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("gave up after " + timeout.toSeconds() + " s waiting for " + what);
            }
            sleep(POLL_MILLIS);
        }
    }

    /** Sleeps, turning an interrupt into a failure (with the flag set again). */
    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
