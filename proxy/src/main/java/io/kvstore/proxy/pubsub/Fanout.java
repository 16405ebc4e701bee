package io.kvstore.proxy.pubsub;

import io.kvstore.config.rewrite.RewriteRules;
import io.kvstore.proxy.resp.RespWriter;
import io.kvstore.proxy.rewrite.KeyspaceChannels;
import io.netty.buffer.ByteBuf;
import java.util.Set;

/**
 * Passes one message read from a shared link to every subscriber of the topics it matched, each
 * in its own RESP version. Stateless; runs on the link's loop.
 *
 * <p>The message is translated once (keyspace notifications of rewritten keys by their logical
 * names) and made once per RESP version: the RESP2 array as read, and for RESP3 clients a copy
 * whose header says push ({@code >}); the elements of a message are bulk strings in both. Each
 * subscriber gets a retained duplicate, so N subscribers cost N reference counts, not N copies.
 */
final class Fanout {

    private static final Subscriber[] NONE = new Subscriber[0];

    private Fanout() {
    }

    /** {@code push}: a message (RESP2 array) the caller keeps; {@code keyspace}: whether it may be a keyspace notification. */
    static void deliver(Set<Topic> topics, ByteBuf push, RewriteRules rules, boolean keyspace) {
        if (topics == null) {
            return; // unsubscribed meanwhile: the server sent it before our UNSUBSCRIBE arrived
        }
        ByteBuf shown = keyspace ? KeyspaceChannels.shown(rules, push) : push.retainedDuplicate();
        if (shown == null) {
            return; // a key clients cannot see
        }
        ByteBuf resp3 = null;
        try {
            // copies: a subscriber closed by a write leaves its topics while we iterate
            for (Topic topic : topics.toArray(new Topic[0])) {
                for (Subscriber s : topic.subscribers.toArray(NONE)) {
                    if (s.protocol() == 3) {
                        if (resp3 == null) {
                            resp3 = shown.copy();
                            RespWriter.arrayToPush(resp3);
                        }
                        s.deliver(resp3.retainedDuplicate());
                    } else {
                        s.deliver(shown.retainedDuplicate());
                    }
                }
            }
        } finally {
            shown.release();
            if (resp3 != null) {
                resp3.release();
            }
        }
    }
}
