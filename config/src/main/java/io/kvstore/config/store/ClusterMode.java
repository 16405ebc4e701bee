package io.kvstore.config.store;

import java.util.Locale;

/**
 * What a cluster promises about its data. A closed set; immutable.
 *
 * <ul>
 *   <li>{@link #CACHE}: data may be lost (a failed master is replaced by an empty one, resharding
 *       may drop keys); the cluster favours staying available.</li>
 *   <li>{@link #DATASTORE}: data must not be lost; operations that would lose it are refused.</li>
 * </ul>
 */
public enum ClusterMode {
    CACHE, DATASTORE;

    /** The name written in ZooKeeper and on the command line: {@code cache}, {@code datastore}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name, case-insensitively. */
    public static ClusterMode parse(String text) {
        for (ClusterMode m : values()) {
            if (m.wireName().equalsIgnoreCase(text.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown cluster mode '" + text + "' (cache or datastore)");
    }

    @Override
    public String toString() {
        return wireName();
    }
}
