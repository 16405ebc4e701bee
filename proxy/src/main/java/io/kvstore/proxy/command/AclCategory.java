package io.kvstore.proxy.command;

import java.util.Locale;

/**
 * Redis's ACL command categories ({@code +@read}, {@code -@dangerous} ...), in the order
 * {@code ACL CAT} lists them. The command table gives each command its categories as a bit set
 * of these ({@link #bit()}), taken from the real server's {@code COMMAND INFO}.
 */
public enum AclCategory {
    KEYSPACE, READ, WRITE, SET, SORTEDSET, LIST, HASH, STRING, BITMAP, HYPERLOGLOG, GEO, STREAM, PUBSUB,
    ADMIN, FAST, SLOW, BLOCKING, DANGEROUS, CONNECTION, TRANSACTION, SCRIPTING;

    /** This category's bit in a command's category set. */
    public int bit() {
        return 1 << ordinal();
    }

    /** The name as written in rules and ACL CAT, without the {@code @}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The category named {@code name} (any case, without {@code @}), or null. */
    public static AclCategory byName(String name) {
        for (AclCategory c : values()) {
            if (c.label().equalsIgnoreCase(name)) {
                return c;
            }
        }
        return null;
    }

    /** The bit set of a comma-separated list of category names; an unknown name is an error in the table. */
    static int mask(String csv) {
        int mask = 0;
        for (String name : csv.split(",")) {
            if (name.isBlank() || name.equals("-")) {
                continue;
            }
            AclCategory c = byName(name.trim());
            if (c == null) {
                throw new IllegalArgumentException("unknown ACL category in the command table: " + name);
            }
            mask |= c.bit();
        }
        return mask;
    }
}
