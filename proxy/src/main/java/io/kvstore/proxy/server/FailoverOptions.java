package io.kvstore.proxy.server;

import io.kvstore.proxy.health.HealthOptions;
import picocli.CommandLine.Option;

/**
 * The proxy's options for health checks and failover in ZooKeeper mode (how often, how long until
 * down, who decides); a picocli mixin of {@link ProxyMain}, so the YAML file and the environment
 * give them as every option. Main thread only.
 */
final class FailoverOptions {

    @Option(names = "--health-interval-ms", defaultValue = "500",
            description = "ZooKeeper mode: how often each master and replica is PINGed (default: ${DEFAULT-VALUE}).")
    int healthIntervalMs;

    @Option(names = "--health-timeout-ms", defaultValue = "1000",
            description = "A server that does not answer PING within this is down for this proxy (default: ${DEFAULT-VALUE}).")
    int healthTimeoutMs;

    @Option(names = "--down-after-ms", defaultValue = "5000",
            description = "A master down this long for a quorum of proxies is failed over (default: ${DEFAULT-VALUE}).")
    long downAfterMs;

    @Option(names = "--failover-quorum", defaultValue = "0",
            description = "Proxies that must see a server down before failover; 0 = a majority of the live proxies (default: ${DEFAULT-VALUE}).")
    int failoverQuorum;

    @Option(names = "--controller", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run for leader of the cluster's failover controller (default: on; --no-controller to only vote).")
    boolean controller;

    @Option(names = "--auto-rejoin", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Cache mode: a failed master that is back (flushed) takes slots again by itself "
                    + "(default: on; --no-auto-rejoin waits for kvstore-admin rebalance).")
    boolean autoRejoin;

    /** The options as the health checker and the failover controller take them. */
    HealthOptions value() {
        return new HealthOptions(true, healthIntervalMs, healthTimeoutMs, downAfterMs, failoverQuorum, controller, autoRejoin);
    }
}
