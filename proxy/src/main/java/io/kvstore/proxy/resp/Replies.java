package io.kvstore.proxy.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** Builds RESP2 replies the proxy answers itself. Stateless; any thread. */
public final class Replies {

    private static final ByteBuf OK = constant("+OK\r\n");
    private static final ByteBuf PONG = constant("+PONG\r\n");
    private static final ByteBuf NULL_BULK = constant("$-1\r\n");

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

    public static ByteBuf nullBulk() {
        return NULL_BULK.duplicate();
    }

    /** {@code -message\r\n}; the message starts with its code (ERR, CROSSSLOT, ...). CR and LF are replaced. */
    public static ByteBuf error(ByteBufAllocator alloc, String message) {
        return simple(alloc, '-', message);
    }

    public static ByteBuf status(ByteBufAllocator alloc, String message) {
        return simple(alloc, '+', message);
    }

    private static ByteBuf simple(ByteBufAllocator alloc, char marker, String message) {
        String safe = message.replace('\r', ' ').replace('\n', ' ');
        ByteBuf buf = alloc.buffer(safe.length() + 3);
        buf.writeByte(marker);
        buf.writeCharSequence(safe, StandardCharsets.UTF_8);
        return buf.writeByte('\r').writeByte('\n');
    }

    public static ByteBuf integer(ByteBufAllocator alloc, long value) {
        ByteBuf buf = alloc.buffer(24);
        buf.writeByte(':');
        buf.writeCharSequence(Long.toString(value), StandardCharsets.US_ASCII);
        return buf.writeByte('\r').writeByte('\n');
    }

    public static ByteBuf bulk(ByteBufAllocator alloc, byte[] value) {
        ByteBuf buf = alloc.buffer(value.length + 16);
        writeBulk(buf, value);
        return buf;
    }

    public static ByteBuf bulk(ByteBufAllocator alloc, String value) {
        return bulk(alloc, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Appends {@code $len\r\nvalue\r\n}. */
    public static void writeBulk(ByteBuf buf, byte[] value) {
        writeLength(buf, '$', value.length);
        buf.writeBytes(value).writeByte('\r').writeByte('\n');
    }

    /** Appends {@code marker n \r\n}, the header of a bulk ({@code $}) or array ({@code *}). */
    public static void writeLength(ByteBuf buf, char marker, long n) {
        buf.writeByte(marker);
        buf.writeCharSequence(Long.toString(n), StandardCharsets.US_ASCII);
        buf.writeByte('\r').writeByte('\n');
    }
}
