package io.kvstore.proxy.stats;

import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * SLOWLOG GET's reply in Redis's layout: per entry an array of id, Unix time in seconds,
 * duration in microseconds, the arguments, the client's address and its name (the same in RESP2
 * and RESP3). Stateless.
 */
public final class SlowLogReplies {

    /** Entries SLOWLOG GET returns without a count, as in Redis. */
    static final int DEFAULT_COUNT = 10;

    private SlowLogReplies() {
    }

    /** SLOWLOG GET [count]: the newest entries, all of them for -1. */
    public static ByteBuf get(ByteBufAllocator alloc, SlowLog log, Request request) {
        long count = DEFAULT_COUNT;
        if (request.argCount() > 2) {
            count = request.argLong(2);
            if (count == Long.MIN_VALUE) {
                return Replies.error(alloc, "ERR value is not an integer or out of range");
            }
            if (count < -1) {
                return Replies.error(alloc, "ERR count should be greater than or equal to -1");
            }
        }
        java.util.List<SlowLog.Entry> entries = log.newest(count);
        ByteBuf buf = alloc.buffer();
        RespWriter.writeArrayHeader(buf, entries.size());
        for (SlowLog.Entry e : entries) {
            RespWriter.writeArrayHeader(buf, 6);
            RespWriter.writeInteger(buf, e.id());
            RespWriter.writeInteger(buf, e.timestampSeconds());
            RespWriter.writeInteger(buf, e.micros());
            RespWriter.writeArrayHeader(buf, e.args().size());
            e.args().forEach(a -> RespWriter.writeBulk(buf, a));
            RespWriter.writeBulk(buf, e.clientAddress().getBytes(StandardCharsets.UTF_8));
            RespWriter.writeBulk(buf, e.clientName().getBytes(StandardCharsets.UTF_8));
        }
        return buf;
    }
}
