package io.kvstore.proxy.server;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.BackendTls;
import picocli.CommandLine.Option;

/**
 * How the proxy logs in to the redis-servers: ACL user, password, database, and TLS; a picocli
 * mixin of {@link ProxyMain}, so the YAML file and the environment give them as every option.
 * The fields keep the names they had in ProxyMain: picocli shows them in the help
 * ({@code --backend-user=<backendUser>}). Main thread only.
 */
final class BackendAuthOptions {

    @Option(names = "--backend-user", description = "ACL user for AUTH to the redis-servers.")
    String backendUser;

    @Option(names = "--backend-password", description = "Password for AUTH to the redis-servers.")
    String backendPassword;

    @Option(names = "--backend-db", defaultValue = "0", description = "Database selected on the redis-servers (default: ${DEFAULT-VALUE}).")
    int backendDb;

    @Option(names = "--backend-tls", defaultValue = "false", fallbackValue = "true", arity = "0..1",
            description = "Connect to the redis-servers' tls-port over TLS (default: off); also used by health checks and failover.")
    boolean backendTls;

    @Option(names = "--backend-tls-ca", paramLabel = "FILE", description = "PEM CA certificate(s) the redis-servers' certificates are signed by.")
    String backendTlsCa;

    @Option(names = "--backend-tls-cert", paramLabel = "FILE",
            description = "PEM client certificate for redis-servers with tls-auth-clients yes (default: none).")
    String backendTlsCert;

    @Option(names = "--backend-tls-key", paramLabel = "FILE", description = "PEM (PKCS#8) key of --backend-tls-cert.")
    String backendTlsKey;

    @Option(names = "--backend-tls-verify-hostname", defaultValue = "false", fallbackValue = "true", arity = "0..1",
            description = "Check that a redis-server's certificate names the host or IP it is reached at (default: off, as Redis).")
    boolean backendTlsVerifyHostname;

    /** The login as the backend connections, health checks and failover take it. */
    BackendAuth value() {
        return new BackendAuth(backendUser, backendPassword, backendDb, backendTls ? new BackendTls(backendTlsCa, backendTlsCert,
                backendTlsKey, backendTlsVerifyHostname) : null);
    }
}
