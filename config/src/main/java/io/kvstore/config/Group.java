package io.kvstore.config;

import java.util.List;
import java.util.Objects;

/**
 * A shard: one master redis-server and zero or more replicas. Immutable value; any thread.
 *
 * <p>Invariant: the id is non-empty; the master is not among the replicas.
 */
public record Group(String id, HostPort master, List<HostPort> replicas, BackendAuth auth) {

    public Group {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(master, "master");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("empty group id");
        }
        replicas = List.copyOf(replicas);
        if (replicas.contains(master)) {
            throw new IllegalArgumentException("group " + id + ": master " + master + " listed as its own replica");
        }
        auth = auth == null ? BackendAuth.NONE : auth;
    }

    public static Group of(String id, HostPort master) {
        return new Group(id, master, List.of(), BackendAuth.NONE);
    }
}
