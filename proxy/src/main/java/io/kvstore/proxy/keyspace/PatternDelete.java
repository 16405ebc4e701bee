package io.kvstore.proxy.keyspace;

import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.ReplyReader;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.RespWriter;
import io.kvstore.proxy.split.GroupSender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;

/**
 * {@code PDEL pattern}: deletes every key matching pattern on every group without blocking Redis:
 * SCAN a batch, UNLINK it, SCAN on, all groups side by side. Answers the number of keys removed.
 * Confined to the client's event loop.
 *
 * <p>Keys written during the walk may or may not be deleted, as with any SCAN; keys present
 * throughout it are. The first error of any group ends the command with that error, after the
 * other groups finish. While the cluster has rewrite rules the pattern is matched against the
 * client's names and only keys the client can see are deleted ({@link KeyNames}); older
 * generations are left to their TTL or {@code kvstore-admin rewrite reclaim}.
 */
public final class PatternDelete implements GroupScan.Listener {

    private final ReplySink target;
    private final ByteBufAllocator alloc;
    private final KeyNames names;
    private int running;
    private long deleted;
    private String error;

    private PatternDelete(ReplySink target, ByteBufAllocator alloc, KeyNames names, int groups) {
        this.target = target;
        this.alloc = alloc;
        this.names = names;
        this.running = groups;
    }

    public static void start(byte[] pattern, KeyNames names, int groups, GroupSender sender, ByteBufAllocator alloc,
            ReplySink target) {
        PatternDelete walk = new PatternDelete(target, alloc, names, groups);
        for (int g = 0; g < groups; g++) {
            new GroupScan(g, pattern, names, sender, alloc, walk).next();
        }
    }

    @Override
    public void batch(GroupScan scan, List<byte[]> keys) {
        if (error != null) {
            finished(); // another group failed: stop this one too
            return;
        }
        if (keys.isEmpty()) {
            scan.next();
            return;
        }
        ByteBuf unlink = alloc.buffer();
        RespWriter.writeArrayHeader(unlink, keys.size() + 1L);
        RespWriter.writeBulk(unlink, GroupScan.bytes("UNLINK"));
        keys.forEach(k -> RespWriter.writeBulk(unlink, names.stored(k)));
        scan.send(unlink, new ReplySink() {
            @Override
            public void onReply(ByteBuf reply) {
                try {
                    if (ReplyReader.isError(reply)) {
                        failed(ReplyReader.line(reply, reply.readerIndex()));
                        return;
                    }
                    deleted += ReplyReader.number(reply, reply.readerIndex());
                } finally {
                    reply.release();
                }
                scan.next();
            }

            @Override
            public void onFailure(String message) {
                failed(message);
            }
        });
    }

    @Override
    public void failed(String message) {
        if (error == null) {
            error = message;
        }
        finished();
    }

    @Override
    public void finished() {
        if (--running == 0) {
            target.onReply(error == null ? Replies.integer(alloc, deleted) : Replies.error(alloc, error));
        }
    }
}
