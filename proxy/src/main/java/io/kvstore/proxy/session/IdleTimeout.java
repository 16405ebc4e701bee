package io.kvstore.proxy.session;

import io.kvstore.proxy.loop.WorkerContext;
import java.util.concurrent.TimeUnit;

/**
 * Redis's {@code timeout}: a client that sent no command for longer than the limit is closed. A
 * client blocked on a command (BLPOP ...) or subscribed to Pub/Sub is left alone, as Redis leaves
 * it. One check per event loop, every second, over that loop's clients, run on that loop; the task
 * ends with the loop.
 */
public final class IdleTimeout {

    private IdleTimeout() {
    }

    /** Starts closing {@code worker}'s idle clients after {@code seconds} (0: never). */
    public static void start(ProxyContext proxy, WorkerContext worker, long seconds) {
        if (seconds <= 0) {
            return;
        }
        long limitMillis = seconds * 1000;
        worker.loop().scheduleAtFixedRate(() -> {
            long now = System.currentTimeMillis();
            for (ClientSession s : proxy.clients().all()) {
                if (s.worker() == worker && now - s.info().lastCommandMillis() > limitMillis && !s.subscribed() && !s.blocked().any()) {
                    s.closeBecause("idle for more than " + seconds + " s (--timeout)");
                }
            }
        }, 1, 1, TimeUnit.SECONDS);
    }
}
