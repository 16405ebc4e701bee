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
    private volatile String fence;
    private volatile boolean strict;
    /** Groups whose master changed from one installed map to the next; written under this object's lock. */
    private volatile long failoversSeen;
    private long fencedSince;
    private volatile java.util.function.LongConsumer onUnfenced = ms -> { };

    public ClusterState(SlotMap initial) {
        this.map = Objects.requireNonNull(initial);
    }

    public SlotMap map() {
        return map;
    }

    /**
     * Why this proxy must not serve keys now, or null. Set when the proxy lost its ZooKeeper
     * session in a data-store cluster: its registration is gone, so a migration may start without
     * waiting for it, and routing by its last map could write a key where it no longer belongs.
     */
    public String fence() {
        return fence;
    }

    /** Whether the cluster is one that must not lose data (data-store mode): such a cluster is fenced when the session is lost. */
    public boolean strict() {
        return strict;
    }

    public void strict(boolean value) {
        strict = value;
    }

    public synchronized void fence(String why) {
        if (fence == null) {
            fencedSince = System.nanoTime();
        }
        fence = why;
    }

    public synchronized void unfence() {
        if (fence != null) {
            onUnfenced.accept((System.nanoTime() - fencedSince) / 1_000_000);
        }
        fence = null;
    }

    /** Who learns how long each fence lasted, in milliseconds (LATENCY's {@code fence} event); set once at start-up. */
    public void onUnfenced(java.util.function.LongConsumer millis) {
        onUnfenced = millis;
    }

    /** Installs {@code next} unless it is older than the current map; returns whether it was installed. */
    public synchronized boolean update(SlotMap next) {
        if (next.epoch() < map.epoch()) {
            return false;
        }
        failoversSeen += mastersChanged(map, next);
        map = next;
        return true;
    }

    private static int mastersChanged(SlotMap before, SlotMap after) {
        java.util.Map<String, io.kvstore.config.HostPort> masters = new java.util.HashMap<>();
        before.groups().forEach(g -> masters.put(g.id(), g.master()));
        int changed = 0;
        for (io.kvstore.config.Group g : after.groups()) {
            io.kvstore.config.HostPort was = masters.get(g.id());
            if (was != null && !was.equals(g.master())) {
                changed++;
            }
        }
        return changed;
    }

    /** How many times a group's master changed in the maps this proxy installed (failovers and switchovers it saw). */
    public long failoversSeen() {
        return failoversSeen;
    }
}
