package io.kvstore.testing;

import java.time.Duration;

/**
 * The one way tests wait for something that happens asynchronously: poll a condition until it
 * holds or a deadline passes, then fail naming what was awaited. A timeout is a bound on a hang,
 * never an assertion about speed: pick one generous enough for a loaded CI machine. Stateless;
 * any test thread.
 */
public final class Await {

    /** Between polls: short enough not to slow a test down, long enough not to spin a core. */
    private static final Duration POLL = Duration.ofMillis(20);

    private Await() {
    }

    /**
     * A condition that may throw, so that a probe over a socket or a file needs no try/catch at
     * each call site: a checked exception fails the wait (it is not taken as "not yet").
     */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** A probe that may throw; see {@link Condition}. */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    /** Polls {@code condition} until it is true; an {@link AssertionError} naming {@code what} after {@code timeout}. */
    public static void until(String what, Duration timeout, Condition condition) {
        until(what, timeout, POLL, condition);
    }

    /**
     * As {@link #until(String, Duration, Condition)}, polling every {@code every}: for a condition
     * that also drives the workload it waits for (sends requests, then looks), whose pace this sets.
     */
    public static void until(String what, Duration timeout, Duration every, Condition condition) {
        poll(what, timeout, every, () -> condition.holds() ? Boolean.TRUE : null);
    }

    /**
     * Polls {@code probe} until it returns a non-null value and returns that; an
     * {@link AssertionError} naming {@code what} after {@code timeout}.
     */
    public static <T> T value(String what, Duration timeout, Probe<T> probe) {
        return poll(what, timeout, POLL, probe);
    }

    /** As {@link #value(String, Duration, Probe)}, polling every {@code every} (see {@link #until(String, Duration, Duration, Condition)}). */
    public static <T> T value(String what, Duration timeout, Duration every, Probe<T> probe) {
        return poll(what, timeout, every, probe);
    }

    private static <T> T poll(String what, Duration timeout, Duration every, Probe<T> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T found = probeOnce(what, probe);
            if (found != null) {
                return found;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("gave up after " + timeout.toSeconds() + " s waiting for " + what);
            }
            sleep(every.toMillis());
        }
    }

    private static <T> T probeOnce(String what, Probe<T> probe) {
        try {
            return probe.get();
        } catch (RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        } catch (Exception e) {
            throw new AssertionError("failed while waiting for " + what, e);
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
