package io.kvstore.proxy.backend;

import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * One loop's drain of its busy backend connections ({@link BackendPool#drain}): a PING on each, and
 * {@code drained} run once every one has answered it or died. A connection answers in order, so its
 * PING's answer means everything written on it before was answered. What has not answered when the
 * caller's time is up is dropped with {@link #dropUnanswered} (its requests fail, as on a stall).
 *
 * <p>Confined to the pool's loop: made, answered and dropped there. Invariant: {@code unanswered}
 * holds the connections whose PING is still out; {@code drained} runs exactly once, when it becomes
 * empty (at once when nothing was busy).
 */
public final class ConnectionDrain {

    private final Set<BackendConnection> unanswered = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Runnable drained;

    private ConnectionDrain(Runnable drained) {
        this.drained = drained;
    }

    /** On the loop: PINGs each of {@code connections} that is busy; {@code drained} runs on the loop once all answered. */
    static ConnectionDrain start(Collection<BackendConnection> connections, Runnable drained) {
        ConnectionDrain drain = new ConnectionDrain(drained);
        for (BackendConnection c : connections) {
            if (c.busy()) {
                drain.unanswered.add(c);
            }
        }
        if (drain.unanswered.isEmpty()) {
            drained.run();
            return drain;
        }
        for (BackendConnection c : List.copyOf(drain.unanswered)) { // a copy: a dead connection answers at once
            ByteBuf ping = RespWriter.command(c.alloc(), "PING");
            c.send(ping, new ReplySink() {
                @Override
                public void onReply(ByteBuf reply) {
                    reply.release();
                    drain.answered(c);
                }

                @Override
                public void onFailure(String message) {
                    drain.answered(c); // the connection died: nothing on it can still run
                }
            });
        }
        return drain;
    }

    /** On the loop: drops the connections that have not answered, failing their requests with {@code why}; how many. */
    public int dropUnanswered(String why) {
        int dropped = 0;
        for (BackendConnection c : List.copyOf(unanswered)) {
            dropped++;
            c.abort(why);
            answered(c); // an idle-but-connecting one has nothing in flight to fail
        }
        return dropped;
    }

    private void answered(BackendConnection c) {
        if (unanswered.remove(c) && unanswered.isEmpty()) {
            drained.run();
        }
    }
}
