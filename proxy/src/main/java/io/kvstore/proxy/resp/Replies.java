package io.kvstore.proxy.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Builds, in new buffers, the replies the proxy answers itself (spelled by {@link RespWriter}), in
 * the client's protocol where RESP2 and RESP3 differ: a null, a map, a set, a push and a verbatim string each have a RESP3 type of their own
 * and a RESP2 rendering (null bulk, flat array, array, array, bulk string), as Redis renders them.
 * Stateless; any thread.
 */
public final class Replies {

    private static final ByteBuf OK = constant("+OK\r\n");
    private static final ByteBuf PONG = constant("+PONG\r\n");
    private static final ByteBuf NULL_BULK = constant("$-1\r\n");
    private static final ByteBuf NULL3 = constant("_\r\n");

    private static final byte[] VERBATIM_TXT = "txt:".getBytes(StandardCharsets.US_ASCII);

    private Replies() {
    }

    private static ByteBuf constant(String s) {
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(s.length())
                .writeBytes(s.getBytes(StandardCharsets.US_ASCII)).asReadOnly());
    }

    public static ByteBuf ok() {
        return OK.duplicate();
    }

    public static ByteBuf pong() {
        return PONG.duplicate();
    }

    /** The null of {@code protocol}: {@code $-1} in RESP2, {@code _} in RESP3. */
    public static ByteBuf nullValue(int protocol) {
        return protocol == 3 ? NULL3.duplicate() : NULL_BULK.duplicate();
    }

    /** Free text (INFO, CLIENT LIST): a verbatim string of format {@code txt} in RESP3, a bulk string in RESP2. */
    public static ByteBuf verbatim(ByteBufAllocator alloc, int protocol, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (protocol != 3) {
            return bulk(alloc, bytes);
        }
        ByteBuf buf = alloc.buffer(bytes.length + 20);
        RespWriter.writeLength(buf, '=', bytes.length + 4L);
        buf.writeBytes(VERBATIM_TXT).writeBytes(bytes);
        RespWriter.writeBulkEnd(buf);
        return buf;
    }

    /** {@code -message\r\n}; the message starts with its code (ERR, CROSSSLOT, ...). CR and LF are replaced. */
    public static ByteBuf error(ByteBufAllocator alloc, String message) {
        ByteBuf buf = alloc.buffer(message.length() + 3);
        RespWriter.writeError(buf, message);
        return buf;
    }

    public static ByteBuf status(ByteBufAllocator alloc, String message) {
        ByteBuf buf = alloc.buffer(message.length() + 3);
        RespWriter.writeStatus(buf, message);
        return buf;
    }

    public static ByteBuf integer(ByteBufAllocator alloc, long value) {
        ByteBuf buf = alloc.buffer(24);
        RespWriter.writeInteger(buf, value);
        return buf;
    }

    public static ByteBuf bulk(ByteBufAllocator alloc, byte[] value) {
        ByteBuf buf = alloc.buffer(value.length + 16);
        RespWriter.writeBulk(buf, value);
        return buf;
    }

    public static ByteBuf bulk(ByteBufAllocator alloc, String value) {
        return bulk(alloc, value.getBytes(StandardCharsets.UTF_8));
    }
}
