package io.kvstore.proxy.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGHUP makes a running proxy re-read what it can re-read (the TLS listener's certificate, the
 * connection limits per user and the ACL LOG length: {@link AccessReload}), as
 * operators expect of a server, instead of the JVM's default for the signal (shut down). The
 * JDK has no supported signal API; {@code sun.misc.Signal} (module jdk.unsupported) is what
 * servers on the JVM use, and where it is missing the proxy still runs, without the handler.
 * The action runs on the JVM's signal thread. Stateless.
 */
final class Hangup {

    private static final Logger LOG = LoggerFactory.getLogger(Hangup.class);

    private Hangup() {
    }

    /** Installs {@code action} as the SIGHUP handler of this process, replacing any earlier one. */
    static void onSignal(Runnable action) {
        try {
            Signal.handle(new Signal("HUP"), signal -> {
                LOG.info("SIGHUP: reloading");
                action.run();
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.warn("no SIGHUP handler on this platform ({}): the TLS files reload when they change, "
                    + "the connection limits and acllog-max-len with a restart", e.getMessage());
        }
    }
}
