package io.kvstore.proxy.server;

import io.kvstore.config.store.ZkTls;
import picocli.CommandLine.Option;

/**
 * The proxy's options for TLS to ZooKeeper's secure client port; a picocli mixin of
 * {@link ProxyMain}, so the YAML file and the environment give them as every option. Main thread only.
 */
final class ZkTlsOptions {

    @Option(names = "--zk-tls", defaultValue = "false",
            description = "Connect to ZooKeeper's secure client port (secureClientPort) over TLS (default: ${DEFAULT-VALUE}).")
    boolean on;

    @Option(names = "--zk-tls-ca", paramLabel = "PEM",
            description = "CA certificates ZooKeeper's certificate must chain to (default: the JDK's trust store).")
    String ca;

    @Option(names = "--zk-tls-cert", paramLabel = "PEM",
            description = "Client certificate to present to ZooKeeper, with --zk-tls-key (ZooKeeper requires one by default).")
    String cert;

    @Option(names = "--zk-tls-key", paramLabel = "PEM", description = "The client certificate's private key (PKCS#8 PEM).")
    String key;

    /** The TLS settings, or null without --zk-tls; an IllegalArgumentException for a file that cannot be read. */
    ZkTls value() {
        return ZkTls.of(on, ca, cert, key);
    }
}
