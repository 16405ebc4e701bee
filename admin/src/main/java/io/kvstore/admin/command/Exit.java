package io.kvstore.admin.command;

/**
 * The exit codes of {@code kvstore-admin}, for scripts to branch on. Documented in
 * {@code doc/zookeeper-layout.md} and in {@code --help}.
 */
public final class Exit {

    /** Done; for {@code status}: everything healthy. */
    public static final int OK = 0;
    /** ZooKeeper or a redis-server could not be reached, or answered with an error. */
    public static final int UNREACHABLE = 1;
    /** The command line is wrong: unknown option, bad address, overlapping addresses, ... */
    public static final int USAGE = 2;
    /** The cluster or group named does not exist. */
    public static final int NOT_FOUND = 3;
    /** Refused: the name or a server is taken, a group still owns slots, proxies still run, or other writers kept winning. */
    public static final int CONFLICT = 4;
    /**
     * The cluster works but something needs attention: for {@code status} a server down or a proxy
     * behind or failing, for {@code verify} keys on a group that does not own their slot, for
     * {@code backup} and {@code restore} a slot map that changed while they ran.
     */
    public static final int DEGRADED = 5;

    /** One line for {@code --help} footers. */
    public static final String SUMMARY = "Exit codes: 0 ok, 1 ZooKeeper or Redis unreachable, 2 usage error, 3 not found, "
            + "4 conflict or refused, 5 (status) degraded, (verify) stray keys, (backup, restore) the slot map changed meanwhile.";

    private Exit() {
    }
}
