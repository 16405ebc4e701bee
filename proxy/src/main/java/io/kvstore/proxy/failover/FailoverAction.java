package io.kvstore.proxy.failover;

import io.kvstore.config.Group;

/**
 * What one round of the controller does once no recorded failover is left to finish, as decided
 * by {@link FailoverPlanner}. Immutable values.
 */
sealed interface FailoverAction {

    /** Start an automatic failover of {@code group} (its master is down for a quorum, or a retry may serve it again). */
    record FailOver(Group group) implements FailoverAction {
    }

    /** A planned failover's mark is left on {@code group} without its record, and its master is not down: take it off. */
    record Unmark(Group group) implements FailoverAction {
    }

    /** Bring back failed or down {@code group}: its master is up for a quorum and every proxy has the current epoch. */
    record StartRejoin(Group group) implements FailoverAction {
    }

    /** Nothing to fail over or bring back: keep replicas in line and parameters applied. */
    record Steady() implements FailoverAction {
    }
}
