package io.kvstore.proxy.keyspace;

import io.kvstore.proxy.resp.ReplyReader;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.RespWriter;
import io.kvstore.proxy.split.GroupSender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A full SCAN of one group, driven by the proxy one batch at a time, so a walk over the whole
 * keyspace never holds more than one batch per group and never blocks Redis. Confined to the
 * client's event loop. The listener decides when the next batch is asked for ({@link #next()}),
 * which lets it act on a batch (UNLINK it) first. Batches hold the names a client sees
 * ({@link KeyNames}): while the cluster has rewrite rules, logical names of visible keys only.
 */
final class GroupScan implements ReplySink {

    /** What a walk does with the batches of one group. */
    interface Listener {
        void batch(GroupScan scan, List<byte[]> keys);

        void failed(String error);

        void finished();
    }

    static final int BATCH = 1000;

    private final int group;
    private final byte[] pattern;
    private final byte[] serverPattern;
    private final KeyNames names;
    private final GroupSender sender;
    private final ByteBufAllocator alloc;
    private final Listener listener;
    private String cursor = "0";
    private boolean started;

    GroupScan(int group, byte[] pattern, KeyNames names, GroupSender sender, ByteBufAllocator alloc, Listener listener) {
        this.group = group;
        this.pattern = pattern;
        this.serverPattern = names.serverPattern(pattern);
        this.names = names;
        this.sender = sender;
        this.alloc = alloc;
        this.listener = listener;
    }

    int group() {
        return group;
    }

    /** Asks for the next batch, or reports the end when the cursor came back to 0. */
    void next() {
        if (started && cursor.equals("0")) {
            listener.finished();
            return;
        }
        started = true;
        ByteBuf frame = alloc.buffer();
        RespWriter.writeArrayHeader(frame, 6);
        for (byte[] word : new byte[][] {bytes("SCAN"), bytes(cursor), bytes("MATCH"), serverPattern, bytes("COUNT"),
                bytes(Integer.toString(BATCH))}) {
            RespWriter.writeBulk(frame, word);
        }
        sender.send(group, frame, this);
    }

    /** Sends another command to this scan's group (the UNLINK of a batch). */
    void send(ByteBuf frame, ReplySink sink) {
        sender.send(group, frame, sink);
    }

    @Override
    public void onReply(ByteBuf reply) {
        try {
            if (ReplyReader.type(reply) != '*') {
                listener.failed(ReplyReader.line(reply, reply.readerIndex()));
                return;
            }
            int at = ReplyReader.afterLine(reply, reply.readerIndex());
            cursor = new String(ReplyReader.bulk(reply, at), StandardCharsets.US_ASCII);
            at = ReplyReader.end(reply, at);
            long n = ReplyReader.number(reply, at);
            at = ReplyReader.afterLine(reply, at);
            List<byte[]> keys = new ArrayList<>((int) n);
            for (long i = 0; i < n; i++) {
                byte[] name = names.shown(ReplyReader.bulk(reply, at), pattern);
                if (name != null) {
                    keys.add(name);
                }
                at = ReplyReader.end(reply, at);
            }
            listener.batch(this, keys);
        } finally {
            reply.release();
        }
    }

    @Override
    public void onFailure(String message) {
        listener.failed(message);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
