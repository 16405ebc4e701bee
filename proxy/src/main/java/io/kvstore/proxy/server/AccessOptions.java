package io.kvstore.proxy.server;

import io.kvstore.proxy.acl.Users;
import io.kvstore.proxy.session.AclLog;
import io.kvstore.proxy.session.ProxyContext;
import io.kvstore.proxy.session.UserConnections;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The proxy's options for who may connect and for how long: static ACL users, protected mode, the
 * connection limits per user and the idle timeout; a picocli mixin of {@link ProxyMain} (so the YAML file and the environment
 * give them as they give every option). {@code --password} stays in ProxyMain: it is also the
 * backends' business. Checked before the proxy starts. The connection limits and the ACL LOG length
 * are re-read on SIGHUP ({@link AccessReload}), each time into a new instance. Main thread, or the
 * signal thread for an instance of a reload.
 */
final class AccessOptions {

    @Option(names = {"--user", "--users"}, paramLabel = "RULES", split = "\\n",
            description = "An ACL user in Redis's rule syntax, e.g. 'alice on >secret ~app:* +@read' (repeatable; "
                    + "YAML: a users: list, environment: KVSTORE_USERS). Static mode only: in ZooKeeper mode users are set with kvstore-admin user set.")
    List<String> users;

    @Option(names = "--acl-file", paramLabel = "FILE",
            description = "A file of ACL users, one rule line each ('user alice on >secret ~* +@all', as Redis's aclfile). Static mode only.")
    String aclFile;

    @Option(names = "--protected-mode", paramLabel = "yes|no", defaultValue = "yes",
            description = "As Redis's: refuse to start on a non-loopback --listen or --tls-listen address while the default "
                    + "user needs no password (default: ${DEFAULT-VALUE}).")
    String protectedMode;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0",
            description = "As Redis's timeout: close a client that sent nothing for this long; blocked and "
                    + "Pub/Sub clients are left alone (default: ${DEFAULT-VALUE}, never).")
    long timeout;

    @Option(names = "--max-connections-per-user", paramLabel = "N", defaultValue = "0",
            description = "Connections one user may have logged in at once on this proxy (each proxy counts its own); "
                    + "one more is refused with -ERR max number of connections for user ... reached and closed "
                    + "(default: ${DEFAULT-VALUE}, no limit). Re-read on SIGHUP.")
    int maxConnectionsPerUser;

    @Option(names = "--max-connections-for-user", paramLabel = "USER=N", split = ",",
            description = "A user's own limit over --max-connections-per-user, e.g. batch=5 (repeatable; 0: no limit for that user). "
                    + "Re-read on SIGHUP.")
    Map<String, Integer> maxConnectionsForUser;

    @Option(names = "--acllog-max-len", paramLabel = "N", defaultValue = "" + AclLog.DEFAULT_MAX_LEN,
            description = "As Redis's acllog-max-len: the denials ACL LOG keeps, per proxy (default: ${DEFAULT-VALUE}). Re-read on SIGHUP.")
    int aclLogMaxLen;

    /** Refuses a value out of range, or static-mode users in ZooKeeper mode, with an IllegalArgumentException. */
    void check(boolean zkMode) {
        if (zkMode && (users != null && !users.isEmpty() || aclFile != null)) {
            throw new IllegalArgumentException("--user and --acl-file are for static mode: in ZooKeeper mode users "
                    + "live in ZooKeeper (kvstore-admin user set CLUSTER NAME rules...)");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("--timeout must be 0 (never) or a number of seconds, not " + timeout);
        }
        ProtectedMode.parse(protectedMode);
        checkLive();
    }

    /** Refuses a connection limit or ACL LOG length out of range: what {@link #apply} sets, at start-up or on SIGHUP. */
    void checkLive() {
        connectionLimits();
        if (aclLogMaxLen < 0) {
            throw new IllegalArgumentException("--acllog-max-len must be 0 or more, not " + aclLogMaxLen);
        }
    }

    /**
     * Puts the connection limits and the ACL LOG length in force on a started proxy; at start-up, and
     * again on SIGHUP ({@link AccessReload}). Any thread: the limits are a volatile snapshot, the log a monitor.
     */
    void apply(ProxyContext context) {
        context.access().connections().limits(connectionLimits());
        context.access().log().maxLen(aclLogMaxLen);
    }

    /** The per-user connection limits; an IllegalArgumentException for a negative one. */
    UserConnections.Limits connectionLimits() {
        return new UserConnections.Limits(maxConnectionsPerUser, maxConnectionsForUser == null ? Map.of() : maxConnectionsForUser);
    }

    boolean protectedMode() {
        return ProtectedMode.parse(protectedMode);
    }

    /** Protected mode: refuses a listener off loopback while anyone gets in without a password. */
    static void checkProtected(ProxyOptions options, Users users) {
        ProtectedMode.check("--listen", options.listen(), users);
        if (options.tls() != null) {
            ProtectedMode.check("--tls-listen", options.tls().listen(), users);
        }
    }

    /** The rule lines of {@code --user} and {@code --acl-file}, in that order. */
    List<String> staticUsers() {
        List<String> lines = new ArrayList<>(users == null ? List.of() : users);
        if (aclFile != null) {
            try {
                lines.addAll(Files.readAllLines(Path.of(aclFile)));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --acl-file " + aclFile + ": " + e);
            }
        }
        return lines;
    }
}
