package io.kvstore.admin.command;

import io.kvstore.config.BackendAuth;
import picocli.CommandLine.Option;

/**
 * How the admin logs in to the proxies' client port (stats, latency pacing): the proxies'
 * {@code --password}, and an ACL user when the proxies have users. A picocli mixin; main thread only.
 */
public final class ProxyLogin {

    @Option(names = "--proxy-user", defaultValue = "${env:KVSTORE_PROXY_USER}",
            description = "ACL user for AUTH to the proxies (default: $KVSTORE_PROXY_USER; none: the default user).")
    String user;

    @Option(names = "--proxy-password", defaultValue = "${env:KVSTORE_PROXY_PASSWORD}",
            description = "The proxies' --password, for AUTH (default: $KVSTORE_PROXY_PASSWORD).")
    String password;

    /** How to log in to the proxies, from these options; no AUTH without a password. */
    BackendAuth auth() {
        String pw = password == null || password.isEmpty() ? null : password;
        String u = pw == null || user == null || user.isEmpty() ? null : user;
        return pw == null ? BackendAuth.NONE : new BackendAuth(u, pw, 0, null);
    }
}
