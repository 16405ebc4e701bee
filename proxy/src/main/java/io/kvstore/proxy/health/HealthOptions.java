package io.kvstore.proxy.health;

/**
 * How a proxy checks its redis-servers and whether it takes part in failover. Immutable value.
 *
 * @param checks      whether health checks run at all (ZooKeeper mode only)
 * @param intervalMs  time between two checks of one server
 * @param timeoutMs   connect and reply timeout of one check: a server that does not answer PING
 *                    within it is down for this proxy
 * @param downAfterMs how long a server must have been down for a quorum of proxies before the
 *                    controller fails it over
 * @param quorum      how many live proxies must see a server down (or back up); 0 = a majority
 *                    of the registered proxies
 * @param controller  whether this proxy runs for leader of the failover controller
 * @param autoRejoin  cache mode: whether a failed master that is back (flushed) takes an even
 *                    share of the slots back by itself; otherwise it waits for
 *                    {@code kvstore-admin rebalance}
 */
public record HealthOptions(boolean checks, int intervalMs, int timeoutMs, long downAfterMs, int quorum,
                            boolean controller, boolean autoRejoin) {

    /** Checks every 500 ms with a 1 s timeout; fail over after 5 s down for a majority; controller on; auto-rejoin on. */
    public static final HealthOptions DEFAULTS = new HealthOptions(true, 500, 1_000, 5_000, 0, true, true);

    /** No health checks and no controller (static mode, and tests that do not want them). */
    public static final HealthOptions OFF = new HealthOptions(false, 500, 1_000, 5_000, 0, false, true);

    public HealthOptions {
        if (intervalMs < 10 || timeoutMs < 10 || downAfterMs < 0 || quorum < 0) {
            throw new IllegalArgumentException("health: interval and timeout must be >= 10 ms, down-after and quorum >= 0");
        }
        if (controller && !checks) {
            throw new IllegalArgumentException("the failover controller needs the health checks");
        }
    }
}
