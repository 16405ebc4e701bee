package io.kvstore.proxy.split;

import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.ReplySink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Waits for the replies of all fragments of one split or fanned-out command and completes the
 * client's pending reply with their merge. Confined to the client's event loop, like the backend
 * connections that complete its fragments.
 *
 * <p>Invariant: {@code replies[i]} is set exactly once, by fragment i (a failure becomes an error
 * reply); the merge runs once, when the last fragment is in, and every fragment reply is
 * released after it.
 */
public final class Gather {

    private final ReplySink target;
    private final Merger merger;
    private final ByteBufAllocator alloc;
    private final ByteBuf[] replies;
    private int outstanding;

    public Gather(ReplySink target, Merger merger, ByteBufAllocator alloc, int fragments) {
        this.target = target;
        this.merger = merger;
        this.alloc = alloc;
        this.replies = new ByteBuf[fragments];
        this.outstanding = fragments;
    }

    /** The sink for fragment {@code index}. */
    public ReplySink fragment(int index) {
        return new ReplySink() {
            @Override
            public void onReply(ByteBuf reply) {
                arrived(index, reply);
            }

            @Override
            public void onFailure(String message) {
                arrived(index, Replies.error(alloc, message));
            }
        };
    }

    private void arrived(int index, ByteBuf reply) {
        if (replies[index] != null) {
            reply.release();
            throw new IllegalStateException("fragment " + index + " answered twice");
        }
        replies[index] = reply;
        if (--outstanding > 0) {
            return;
        }
        ByteBuf merged;
        try {
            merged = merger.merge(alloc, replies);
        } catch (RuntimeException e) {
            merged = Replies.error(alloc, "ERR kvstore could not merge replies: " + e.getMessage());
        } finally {
            for (ByteBuf r : replies) {
                r.release();
            }
        }
        target.onReply(merged);
    }
}
