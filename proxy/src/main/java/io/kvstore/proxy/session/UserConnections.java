package io.kvstore.proxy.session;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many authenticated connections each user has on this proxy, against {@code
 * --max-connections-per-user} and its per-user overrides. A count is touched only when a client
 * logs in as a user, leaves it (AUTH as another, RESET) or closes, never per command, so an atomic
 * per user is cheap. Thread-safe: every event loop counts here; the limits are swapped whole.
 *
 * <p>Invariant: a user's count is the number of clients whose {@link Login} holds a place for it;
 * {@link #enter} takes a place only below the user's limit.
 */
public final class UserConnections {

    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final LongAdder refused = new LongAdder();
    private volatile Limits limits = Limits.NONE;

    /**
     * The limits. Immutable value.
     *
     * @param perUser   connections any one user may have at once; 0: no limit
     * @param overrides a limit for a user by name, over {@code perUser} (0: none for that user)
     */
    public record Limits(int perUser, Map<String, Integer> overrides) {

        public static final Limits NONE = new Limits(0, Map.of());

        public Limits {
            overrides = Map.copyOf(overrides);
            if (perUser < 0 || overrides.values().stream().anyMatch(n -> n < 0)) {
                throw new IllegalArgumentException("a connection limit is 0 (none) or more");
            }
        }

        int of(String user) {
            return overrides.getOrDefault(user, perUser);
        }
    }

    public void limits(Limits next) {
        limits = next;
    }

    public Limits limits() {
        return limits;
    }

    /** Takes a place for {@code user}; false (and counted as a refusal) when it has its limit already. */
    boolean enter(String user) {
        int max = limits.of(user);
        AtomicInteger n = counts.computeIfAbsent(user, u -> new AtomicInteger());
        if (n.incrementAndGet() > max && max > 0) {
            n.decrementAndGet();
            refused.increment();
            return false;
        }
        return true;
    }

    /** Gives back a place {@link #enter} took. */
    void leave(String user) {
        counts.get(user).decrementAndGet();
    }

    /** The connections of {@code user} now. */
    public int count(String user) {
        AtomicInteger n = counts.get(user);
        return n == null ? 0 : n.get();
    }

    /** The error a refused login gets; worded like Redis's "max number of clients reached". */
    static String error(String user) {
        return "ERR max number of connections for user '" + user + "' reached";
    }

    /** The INFO line. */
    String info() {
        return "rejected_connections_per_user:" + refused.sum() + "\r\n";
    }
}
