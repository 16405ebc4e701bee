package io.kvstore.proxy.failover;

/**
 * Thrown by {@link Leadership#check()} (and by a wait that is interrupted): this controller must
 * stop acting now. The round catches it and gives up the rest of the round; a new leader finishes
 * what was recorded. Immutable, no stack trace (it is control flow, not a fault).
 */
final class NotLeader extends RuntimeException {

    NotLeader() {
        super("no longer the leader", null, false, false);
    }

    /** Sleeps {@code ms}; an interrupt (the controller closes) means this controller must stop. */
    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotLeader();
        }
    }
}
