package io.kvstore.config.store;

import java.util.Locale;

/**
 * The administrative state of a group, as recorded in the topology. A closed set; immutable.
 *
 * <p>This version writes only {@link #ACTIVE}. The other states are reserved for the resharding
 * and failover work and are accepted by readers already, so that proxies of this version keep
 * routing when a newer admin writes them: a group routes the same in every state.
 */
public enum GroupState {
    /** Serves the slots it owns. */
    ACTIVE,
    /** Its slots are being moved away (reserved for resharding). */
    DRAINING,
    /** Its master is being replaced (reserved for failover). */
    FAILING_OVER;

    /** {@code active}, {@code draining}, {@code failing-over}. */
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
