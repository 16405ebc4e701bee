package io.kvstore.config.store;

import java.util.Locale;

/**
 * The administrative state of a group, as recorded in the topology. A closed set; immutable.
 *
 * <p>{@link #DRAINING} and {@link #FAILING_OVER} route like {@link #ACTIVE}. {@link #FAILED} and
 * {@link #DOWN} are written by the failover controller (see {@code doc/failover.md}): a proxy
 * answers {@code -CLUSTERDOWN} for the slots of a group in either (a failed group normally owns
 * none). A proxy older than these two states reads a topology that has them as malformed and keeps
 * its last map, which is the safe reading: it cannot honour them.
 */
public enum GroupState {
    /** Serves the slots it owns. */
    ACTIVE,
    /** Its slots are being moved away (reserved for resharding). */
    DRAINING,
    /** Its master is being replaced by a planned failover; the controller leaves its replicas alone meanwhile. */
    FAILING_OVER,
    /** Cache mode: its master failed and its slots were given to the other groups; it rejoins, flushed, when it is back. */
    FAILED,
    /** Its master is down and nothing can replace it (data-store mode: no healthy replica; cache mode: no other active group to take its slots): its slots answer -CLUSTERDOWN. */
    DOWN;

    /** Whether proxies must refuse the group's slots ({@code -CLUSTERDOWN}) instead of routing them. */
    public boolean refusesClients() {
        return this == FAILED || this == DOWN;
    }

    /** {@code active}, {@code draining}, {@code failing-over}, {@code failed}, {@code down}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static GroupState parse(String text) {
        for (GroupState s : values()) {
            if (s.wireName().equals(text)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown group state '" + text + "'");
    }

    @Override
    public String toString() {
        return wireName();
    }
}
