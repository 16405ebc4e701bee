package io.kvstore.config.store;

/**
 * A value read from a ZooKeeper node together with the node's version (for compare-and-set
 * writes) and its last modification time. Immutable; any thread.
 */
public record Versioned<T>(T value, int version, long modifiedMillis) {
}
