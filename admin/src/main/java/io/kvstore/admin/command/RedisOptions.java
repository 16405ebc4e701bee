package io.kvstore.admin.command;

import io.kvstore.admin.redis.RedisProbe;
import io.kvstore.config.BackendAuth;
import io.kvstore.config.BackendTls;
import picocli.CommandLine.Option;

/**
 * How the admin logs in to redis-servers to check them: the same option names and
 * {@code KVSTORE_BACKEND_*} variables as the proxy. A picocli mixin; main thread only.
 */
public final class RedisOptions {

    @Option(names = "--backend-user", defaultValue = "${env:KVSTORE_BACKEND_USER}", description = "ACL user for AUTH to the redis-servers.")
    String user;

    @Option(names = "--backend-password", defaultValue = "${env:KVSTORE_BACKEND_PASSWORD}",
            description = "Password for AUTH to the redis-servers (default: $KVSTORE_BACKEND_PASSWORD).")
    String password;

    @Option(names = "--backend-tls", defaultValue = "${env:KVSTORE_BACKEND_TLS:-false}", fallbackValue = "true", arity = "0..1",
            description = "Reach the redis-servers' tls-port over TLS, as the proxy's --backend-tls (default: off).")
    boolean tls;

    @Option(names = "--backend-tls-ca", defaultValue = "${env:KVSTORE_BACKEND_TLS_CA}", paramLabel = "FILE",
            description = "PEM CA certificate(s) of the redis-servers' certificates.")
    String tlsCa;

    @Option(names = "--backend-tls-cert", defaultValue = "${env:KVSTORE_BACKEND_TLS_CERT}", paramLabel = "FILE",
            description = "PEM client certificate for redis-servers with tls-auth-clients yes.")
    String tlsCert;

    @Option(names = "--backend-tls-key", defaultValue = "${env:KVSTORE_BACKEND_TLS_KEY}", paramLabel = "FILE",
            description = "PEM (PKCS#8) key of --backend-tls-cert.")
    String tlsKey;

    @Option(names = "--backend-tls-verify-hostname", defaultValue = "${env:KVSTORE_BACKEND_TLS_VERIFY_HOSTNAME:-false}",
            fallbackValue = "true", arity = "0..1",
            description = "Check that a redis-server's certificate names the host or IP it is reached at (default: off).")
    boolean tlsVerifyHostname;

    @Option(names = "--redis-timeout-ms", defaultValue = "2000", description = "Connect and reply timeout per redis-server (default: ${DEFAULT-VALUE}).")
    int timeoutMs;

    RedisProbe probe() {
        return new RedisProbe(auth(), timeoutMs);
    }

    /** How to log in to the redis-servers, from these options. */
    BackendAuth auth() {
        String pw = password == null || password.isEmpty() ? null : password;
        String u = pw == null || user == null || user.isEmpty() ? null : user;
        return new BackendAuth(u, pw, 0, tls ? new BackendTls(tlsCa, tlsCert, tlsKey, tlsVerifyHostname) : null);
    }
}
