package io.kvstore.proxy.split;

import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.ReplyReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Puts the values of an MGET split over groups back in the order the client asked for them.
 * Immutable.
 *
 * <p>Key {@code k} of the client's command is element {@code position[k]} of the reply of
 * fragment {@code fragment[k]}.
 */
final class MgetMerger implements Merger {

    private final int[] fragment;
    private final int[] position;

    MgetMerger(int[] fragment, int[] position) {
        this.fragment = fragment;
        this.position = position;
    }

    @Override
    public ByteBuf merge(ByteBufAllocator alloc, ByteBuf[] replies) {
        int[][] starts = new int[replies.length][];
        int size = 16;
        for (int f = 0; f < replies.length; f++) {
            ByteBuf r = replies[f];
            if (ReplyReader.type(r) != '*') {
                return r.retainedDuplicate(); // an error from one group is the answer
            }
            int n = (int) ReplyReader.number(r, r.readerIndex());
            starts[f] = new int[n + 1];
            int at = ReplyReader.afterLine(r, r.readerIndex());
            for (int i = 0; i < n; i++) {
                starts[f][i] = at;
                at = ReplyReader.end(r, at);
            }
            starts[f][n] = at;
            size += r.readableBytes();
        }
        ByteBuf out = alloc.buffer(size);
        try {
            Replies.writeLength(out, '*', fragment.length);
            for (int k = 0; k < fragment.length; k++) {
                int f = fragment[k];
                int from = starts[f][position[k]];
                out.writeBytes(replies[f], from, starts[f][position[k] + 1] - from);
            }
            return out;
        } catch (RuntimeException e) {
            out.release(); // a group answered with fewer values than asked; Gather turns the throw into an error reply
            throw e;
        }
    }
}
