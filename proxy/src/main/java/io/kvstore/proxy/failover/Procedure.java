package io.kvstore.proxy.failover;

import io.kvstore.config.store.Topology;

/**
 * One kind of failover, driven from its record to done or failed. Invariant of every
 * implementation: each step is idempotent and recorded before the next starts, and a leadership
 * check precedes each change to a redis-server or to ZooKeeper, so a new leader that drives the
 * same record again finishes what a dead one started. Runs on the controller's thread.
 */
sealed interface Procedure permits CacheReassign, DataStorePromote, PlannedFailover, Rejoin {

    /** Drives {@code run} on, {@code t} being the topology read after it was picked up (its group is in it). */
    void drive(RecordRun run, Topology t);
}
