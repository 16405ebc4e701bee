package io.kvstore.proxy.server;

import io.kvstore.config.store.ZkSettings;
import io.kvstore.config.store.ZkTls;
import picocli.CommandLine.Option;

/**
 * How the proxy holds its ZooKeeper session in ZooKeeper mode (authentication, timeouts); a picocli
 * mixin of {@link ProxyMain}, so the YAML file and the environment give them as every option.
 * {@code --zk} and {@code --cluster} stay in ProxyMain: they choose the mode. The fields keep the
 * names they had there: picocli shows them in the help. Main thread only.
 */
final class ZkOptions {

    @Option(names = "--zk-auth", paramLabel = "USER:PASSWORD", description = "ZooKeeper digest authentication (default: none).")
    String zkAuth;

    @Option(names = "--zk-session-timeout-ms", defaultValue = "30000",
            description = "ZooKeeper session timeout: a proxy silent this long is unregistered (default: ${DEFAULT-VALUE}).")
    int zkSessionTimeoutMs;

    @Option(names = "--zk-connect-timeout-ms", defaultValue = "10000",
            description = "How long one attempt to reach ZooKeeper may take (default: ${DEFAULT-VALUE}).")
    int zkConnectTimeoutMs;

    /** The settings to reach the ZooKeeper servers {@code connect} with, over {@code tls} when not null. */
    ZkSettings settings(String connect, ZkTls tls) {
        return new ZkSettings(connect, zkSessionTimeoutMs, zkConnectTimeoutMs, 3, zkAuth, tls);
    }
}
