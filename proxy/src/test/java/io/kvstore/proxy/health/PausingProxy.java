package io.kvstore.proxy.health;

import io.kvstore.proxy.failover.FailoverSteps;
import io.kvstore.proxy.server.ProxyMain;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code kvstore-proxy} whose failover controller sleeps after one step of a failover, so a test
 * can kill its process there ({@link ProxyProcess}). Run as
 * {@code PausingProxy STEP:MS ARGS...}: after step STEP ({@code chosen}, {@code promoted},
 * {@code flushed}, {@code caught-up}) it sleeps MS on the controller's thread, logging
 * "test pause"; ARGS are the proxy's. The pause reaches the controller through
 * {@link ProxyMain#run}, not through a property that production code would read.
 */
final class PausingProxy {

    private static final Logger LOG = LoggerFactory.getLogger(PausingProxy.class);

    private PausingProxy() {
    }

    public static void main(String[] args) {
        String spec = args[0];
        int colon = spec.lastIndexOf(':');
        String step = spec.substring(0, colon);
        long ms = Long.parseLong(spec.substring(colon + 1));
        ProxyMain.run(Arrays.copyOfRange(args, 1, args.length), pauseAfter(step, ms));
    }

    /** Sleeps {@code ms} after {@code step}; an interrupt (the controller closes) ends the sleep. */
    static FailoverSteps pauseAfter(String step, long ms) {
        return (name, record) -> {
            if (!name.equals(step)) {
                return;
            }
            LOG.warn("test pause: sleeping {} ms after step {}", ms, step);
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }
}
