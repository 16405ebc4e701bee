package io.kvstore.proxy.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Builds the replies the proxy answers itself, in the client's protocol where RESP2 and RESP3
 * differ: a null, a map, a set, a push and a verbatim string each have a RESP3 type of their own
 * and a RESP2 rendering (null bulk, flat array, array, array, bulk string), as Redis renders them.
 * Stateless; any thread.
 */
public final class Replies {

    private static final ByteBuf OK = constant("+OK\r\n");
    private static final ByteBuf PONG = constant("+PONG\r\n");
    private static final ByteBuf NULL_BULK = constant("$-1\r\n");
    private static final ByteBuf NULL3 = constant("_\r\n");

    private static final byte[] NULL_BULK_BYTES = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL3_BYTES = "_\r\n".getBytes(StandardCharsets.US_ASCII);
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

    /** Appends the null of {@code protocol}. */
    public static void writeNull(ByteBuf buf, int protocol) {
        buf.writeBytes(protocol == 3 ? NULL3_BYTES : NULL_BULK_BYTES);
    }

    /** Appends the header of a map of {@code pairs} pairs: {@code %pairs} in RESP3, an array of twice as many elements in RESP2. */
    public static void writeMapHeader(ByteBuf buf, int protocol, long pairs) {
        writeLength(buf, protocol == 3 ? '%' : '*', protocol == 3 ? pairs : pairs * 2);
    }

    /** Appends the header of a push message (Pub/Sub): {@code >n} in RESP3, an array in RESP2. */
    public static void writePushHeader(ByteBuf buf, int protocol, long n) {
        writeLength(buf, protocol == 3 ? '>' : '*', n);
    }

    /** Free text (INFO, CLIENT LIST): a verbatim string of format {@code txt} in RESP3, a bulk string in RESP2. */
    public static ByteBuf verbatim(ByteBufAllocator alloc, int protocol, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (protocol != 3) {
            return bulk(alloc, bytes);
        }
        ByteBuf buf = alloc.buffer(bytes.length + 20);
        writeLength(buf, '=', bytes.length + 4L);
        buf.writeBytes(VERBATIM_TXT).writeBytes(bytes).writeByte('\r').writeByte('\n');
        return buf;
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
        Numbers.writeDecimal(buf, value);
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

    /** Appends {@code marker n \r\n}, the header of a bulk ({@code $}), an array ({@code *}) or another aggregate. */
    public static void writeLength(ByteBuf buf, char marker, long n) {
        buf.writeByte(marker);
        Numbers.writeDecimal(buf, n);
        buf.writeByte('\r').writeByte('\n');
    }
}
