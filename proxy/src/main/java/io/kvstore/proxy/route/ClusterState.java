package io.kvstore.proxy.route;

import io.kvstore.config.SlotMap;
import java.util.Objects;

/**
 * The slot map this proxy routes by. Written by whoever learns of a new map (start-up, the
 * ZooKeeper watcher thread), read by every event loop. Thread-safe without locks: the map is
 * immutable and swapped whole through a volatile field, so a reader sees an old map or the new
 * one, never a mix. Invariant: epochs only grow.
 */
public final class ClusterState {

    private volatile SlotMap map;

    public ClusterState(SlotMap initial) {
        this.map = Objects.requireNonNull(initial);
    }

    public SlotMap map() {
        return map;
    }

    /** Installs {@code next} unless it is older than the current map; returns whether it was installed. */
    public synchronized boolean update(SlotMap next) {
        if (next.epoch() < map.epoch()) {
            return false;
        }
        map = next;
        return true;
    }
}
