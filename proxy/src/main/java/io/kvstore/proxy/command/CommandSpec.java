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
 */
public record CommandSpec(String name, int arity, String flags, int firstKey, int lastKey, int keyStep,
                          CommandKind kind, String reason, MergeKind merge, boolean write) {

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
