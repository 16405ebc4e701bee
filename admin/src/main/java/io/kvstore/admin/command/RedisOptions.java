package io.kvstore.admin.command;

import io.kvstore.admin.redis.RedisProbe;
import io.kvstore.config.BackendAuth;
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

    @Option(names = "--redis-timeout-ms", defaultValue = "2000", description = "Connect and reply timeout per redis-server (default: ${DEFAULT-VALUE}).")
    int timeoutMs;

    RedisProbe probe() {
        return new RedisProbe(auth(), timeoutMs);
    }

    /** How to log in to the redis-servers, from these options. */
    BackendAuth auth() {
        String pw = password == null || password.isEmpty() ? null : password;
        String u = pw == null || user == null || user.isEmpty() ? null : user;
        return new BackendAuth(u, pw, 0);
    }
}
