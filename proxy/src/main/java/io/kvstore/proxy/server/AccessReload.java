package io.kvstore.proxy.server;

import io.kvstore.proxy.session.ProxyContext;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * What SIGHUP re-reads besides the TLS files: {@code --max-connections-per-user},
 * {@code --max-connections-for-user} and {@code --acllog-max-len}, parsed again from the proxy's own
 * command line, environment and {@code --config} file exactly as at start-up. So a value the
 * command line gives still wins, and an edit of the YAML file is what changes a limit. Connections
 * already in are kept when a limit is lowered (as Redis keeps them); the next login counts against
 * the new one. A file that no longer parses, or a value out of range, changes nothing and is logged.
 * Stateless; runs on the JVM's signal thread.
 */
final class AccessReload {

    private static final Logger LOG = LoggerFactory.getLogger(AccessReload.class);

    private AccessReload() {
    }

    /** The options {@code args} give now (with the environment and the file they name), checked. */
    static AccessOptions read(String[] args) {
        ProxyMain fresh = new ProxyMain();
        ProxyMain.commandLine(fresh, args).parseArgs(args);
        fresh.access.checkLive();
        return fresh.access;
    }

    /** Puts what {@code args} give now in force on {@code context}, or logs why it keeps what it has. */
    static void reload(String[] args, ProxyContext context) {
        AccessOptions now;
        try {
            now = read(args);
        } catch (IllegalArgumentException | UncheckedIOException | CommandLine.ParameterException e) {
            LOG.warn("SIGHUP: connection limits and acllog-max-len unchanged: {}", e.getMessage());
            return;
        }
        now.apply(context);
        LOG.info("SIGHUP: connection limits {}, acllog-max-len {}", now.connectionLimits(), now.aclLogMaxLen);
    }
}
