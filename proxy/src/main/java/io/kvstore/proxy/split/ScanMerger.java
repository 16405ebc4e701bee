package io.kvstore.proxy.split;

import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.ReplyReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * SCAN over all groups, one group at a time. The client's cursor carries the group index in its
 * low {@value #GROUP_BITS} bits and the group's own cursor above them; when a group's cursor comes
 * back 0 the next cursor points at the start of the next group, and 0 after the last group ends
 * the iteration. Every key present throughout the iteration is returned, as Redis promises,
 * provided the groups do not change meanwhile. Immutable.
 */
public final class ScanMerger implements Merger {

    public static final int GROUP_BITS = 10;
    public static final int MAX_GROUPS = 1 << GROUP_BITS;

    private final int group;
    private final int groups;

    public ScanMerger(int group, int groups) {
        this.group = group;
        this.groups = groups;
    }

    /** Group index encoded in a client cursor. */
    public static int groupOf(long cursor) {
        return (int) (cursor & (MAX_GROUPS - 1));
    }

    /** The group's own cursor encoded in a client cursor. */
    public static long backendCursor(long cursor) {
        return cursor >>> GROUP_BITS;
    }

    @Override
    public ByteBuf merge(ByteBufAllocator alloc, ByteBuf[] replies) {
        ByteBuf r = replies[0];
        if (ReplyReader.type(r) != '*') {
            return r.retainedDuplicate();
        }
        int cursorAt = ReplyReader.afterLine(r, r.readerIndex());
        long next = Long.parseUnsignedLong(new String(ReplyReader.bulk(r, cursorAt), StandardCharsets.US_ASCII));
        long client;
        if (next != 0) {
            client = (next << GROUP_BITS) | group;
        } else {
            client = group + 1 < groups ? group + 1 : 0;
        }
        int rest = ReplyReader.end(r, cursorAt);
        ByteBuf out = alloc.buffer(r.readableBytes() + 24);
        Replies.writeLength(out, '*', 2);
        Replies.writeBulk(out, Long.toUnsignedString(client).getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(r, rest, r.writerIndex() - rest);
        return out;
    }
}
