package io.kvstore.config.store;

/**
 * Why a store operation failed, as a closed set callers can switch over (the admin CLI turns each
 * kind into an exit code). Messages are written for operators: they say what was asked and what
 * to do about it.
 */
public abstract sealed class StoreException extends RuntimeException
        permits StoreException.Unavailable, StoreException.NotFound, StoreException.Conflict, StoreException.Malformed {

    private StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** ZooKeeper could not be reached, timed out, or refused us (authentication, ACL). */
    public static final class Unavailable extends StoreException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The cluster, group or node named does not exist. */
    public static final class NotFound extends StoreException {
        public NotFound(String message) {
            super(message, null);
        }
    }

    /**
     * The change was refused: it contradicts what is stored (a name or address already taken, a
     * group that still owns slots) or other writers kept winning the compare-and-set.
     */
    public static final class Conflict extends StoreException {
        public Conflict(String message) {
            super(message, null);
        }
    }

    /** A node holds something this version cannot read: bad JSON, a newer format, a broken invariant. */
    public static final class Malformed extends StoreException {
        public Malformed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
