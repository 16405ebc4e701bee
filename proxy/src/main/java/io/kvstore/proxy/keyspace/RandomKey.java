package io.kvstore.proxy.keyspace;

import io.kvstore.proxy.resp.ReplyReader;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.split.Gather;
import io.kvstore.proxy.split.GroupSender;
import io.kvstore.proxy.split.Merger;
import io.kvstore.proxy.split.Merges;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code RANDOMKEY} over every group: a key drawn from the whole keyspace, each key about as
 * likely as in one Redis. Every group gets {@code DBSIZE} and {@code RANDOMKEY} in one write (one
 * round trip); a group is then chosen at random weighted by its key count, and its random key is
 * the answer. An empty group is never chosen while another holds keys. Stateless; the merge runs
 * on the client's event loop.
 *
 * <p>Invariant: reply {@code 2g} is group g's DBSIZE and {@code 2g + 1} its RANDOMKEY. When the
 * chosen group's key went away between the two (deleted or expired by then), another group's
 * key is the answer, so a nil means no group had a key.
 */
public final class RandomKey implements Merger {

    private static final List<byte[]> DBSIZE = List.of(GroupScan.bytes("DBSIZE"));
    private static final List<byte[]> RANDOMKEY = List.of(GroupScan.bytes("RANDOMKEY"));
    private static final Merger MERGER = Merges.errorsFirst(new RandomKey());

    private RandomKey() {
    }

    /**
     * Answers {@code request} (released here: the frames sent are new) by asking every one of
     * {@code groups}; completes {@code target} with the chosen key, or nil.
     */
    public static void start(Request request, int groups, GroupSender sender, ByteBufAllocator alloc, ReplySink target) {
        request.release();
        Gather gather = new Gather(target, MERGER, alloc, 2 * groups);
        for (int g = 0; g < groups; g++) {
            sender.send(g, Request.of(alloc, DBSIZE).frame(), gather.fragment(2 * g));
            sender.send(g, Request.of(alloc, RANDOMKEY).frame(), gather.fragment(2 * g + 1));
        }
    }

    @Override
    public ByteBuf merge(ByteBufAllocator alloc, ByteBuf[] replies) {
        int groups = replies.length / 2;
        long total = 0;
        for (int g = 0; g < groups; g++) {
            total += keyCount(replies, g);
        }
        if (total > 0) {
            long pick = ThreadLocalRandom.current().nextLong(total);
            for (int g = 0; g < groups; g++) {
                pick -= keyCount(replies, g);
                if (pick < 0) {
                    ByteBuf key = replies[2 * g + 1];
                    if (!isNil(key)) {
                        return key.retainedDuplicate();
                    }
                    break;
                }
            }
        }
        for (int g = 0; g < groups; g++) {
            if (!isNil(replies[2 * g + 1])) {
                return replies[2 * g + 1].retainedDuplicate();
            }
        }
        return replies[1].retainedDuplicate();
    }

    private static long keyCount(ByteBuf[] replies, int group) {
        ByteBuf r = replies[2 * group];
        return Math.max(0, ReplyReader.number(r, r.readerIndex()));
    }

    /** A nil bulk ({@code $-1}) in RESP2, or the null type ({@code _}) in RESP3. */
    private static boolean isNil(ByteBuf reply) {
        byte type = ReplyReader.type(reply);
        return type == '_' || type == '$' && ReplyReader.number(reply, reply.readerIndex()) < 0;
    }
}
