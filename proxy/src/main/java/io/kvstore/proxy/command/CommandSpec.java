package io.kvstore.proxy.command;

/**
 * What the proxy knows of one command (or one {@code container|subcommand}). Immutable value.
 *
 * @param name     lower-case name, {@code container|sub} for subcommands
 * @param arity    Redis arity: n means exactly n arguments (name included), -n at least n
 * @param flags    Redis command flags, comma separated, as {@code COMMAND} reports them
 * @param firstKey index of the first key argument, 0 for none
 * @param lastKey  index of the last key argument, negative counts from the end
 * @param keyStep  distance between keys
 * @param kind     how the proxy runs it
 * @param reason   why it is refused, when kind is {@link CommandKind#REFUSED}; else empty or a note on
 *                 how the proxy runs it
 * @param merge    how replies of several groups are merged, for split and fanned-out commands; else null
 * @param write    whether Redis flags it {@code write} (it may change data): such commands can be
 *                 followed by WAIT with {@code --write-acks}
 * @param aclCategories its ACL categories, a bit set of {@link AclCategory#bit()}
 * @param keyAccess what each of Redis's key specs does to its keys, comma separated, in key-spec
 *                 order: {@code R} (reads), {@code W} (writes), {@code RW}, {@code -} (neither); for ACL
 *                 {@code %R~} / {@code %W~} patterns
 */
public record CommandSpec(String name, int arity, String flags, int firstKey, int lastKey, int keyStep,
                          CommandKind kind, String reason, MergeKind merge, boolean write,
                          int aclCategories, String keyAccess) {

    /** Access bit: the command reads the key. */
    public static final int READS = 1;
    /** Access bit: the command writes (inserts, updates or deletes) the key. */
    public static final int WRITES = 2;

    /** Whether the command is in ACL category {@code category}. */
    public boolean inCategory(AclCategory category) {
        return (aclCategories & category.bit()) != 0;
    }

    /**
     * What the command does to its {@code index}-th key ({@link #READS} | {@link #WRITES}): the
     * key spec of that index, or the last one for keys beyond (a range spec covers the rest).
     */
    public int keyAccess(int index) {
        int start = 0;
        for (int i = 0; i < index; i++) {
            int comma = keyAccess.indexOf(',', start);
            if (comma < 0) {
                break;
            }
            start = comma + 1;
        }
        int bits = 0;
        for (int i = start; i < keyAccess.length() && keyAccess.charAt(i) != ','; i++) {
            bits |= keyAccess.charAt(i) == 'R' ? READS : keyAccess.charAt(i) == 'W' ? WRITES : 0;
        }
        return bits;
    }

    /** Whether {@code argc} arguments (name included) satisfy the arity. */
    public boolean arityAccepts(int argc) {
        return arity >= 0 ? argc == arity : argc >= -arity;
    }

    /** Index of the last key for a command of {@code argc} arguments. */
    public int lastKeyIndex(int argc) {
        return lastKey >= 0 ? lastKey : argc + lastKey;
    }

    /**
     * Whether the row is kvstore's own rather than Redis 7.0's: an extension (PDEL) or a
     * subcommand of a later Redis that clients send on connect (CLIENT SETINFO). Marked by the
     * {@code kvstore} flag in the table.
     */
    public boolean kvstoreOnly() {
        return hasFlag("kvstore");
    }

    /** Whether {@code flag} is one of the command's flags. */
    public boolean hasFlag(String flag) {
        return ("," + flags + ",").contains("," + flag + ",");
    }

    /** Whether Redis flags it {@code readonly}: it reads stored data without changing it. */
    public boolean readOnly() {
        return ("," + flags + ",").contains(",readonly,");
    }

    /** The name Redis shows in errors: the container's name for a subcommand. */
    public String displayName() {
        return name.replace('|', ' ');
    }
}
