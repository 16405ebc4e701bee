package io.kvstore.proxy.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The one place that knows how RESP is spelled on the wire: every type marker, length header and
 * CRLF the proxy writes, for the commands it sends on its own (handshakes, MULTI/EXEC, WAIT, SCAN,
 * UNLINK, PING) and for the replies it builds. Nothing outside {@code resp/} writes a marker or a
 * CRLF itself; {@code HandBuiltFrameTest} fails the build on one.
 *
 * <p>The {@code write*} methods append to a buffer the caller owns and allocate nothing on the heap
 * (numbers go through {@link Numbers#writeDecimal}, text through {@link ByteBufUtil#writeUtf8}),
 * so they serve the write path (a WAIT after every acked write). The methods that return a new
 * buffer take the allocator of the channel the bytes are for: never the default allocator or
 * {@code Unpooled} on the data path. Stateless; any thread.
 */
public final class RespWriter {

    private RespWriter() {
    }

    /** Appends {@code *n}, the header of an array (a command, or an array reply) of {@code n} elements. */
    public static void writeArrayHeader(ByteBuf buf, long n) {
        writeLength(buf, '*', n);
    }

    /** Appends the header of a set: {@code ~n} in RESP3, an array in RESP2. */
    public static void writeSetHeader(ByteBuf buf, int protocol, long n) {
        writeLength(buf, protocol == 3 ? '~' : '*', n);
    }

    /** Appends the header of a map of {@code pairs} pairs: {@code %pairs} in RESP3, an array of twice as many elements in RESP2. */
    public static void writeMapHeader(ByteBuf buf, int protocol, long pairs) {
        writeLength(buf, protocol == 3 ? '%' : '*', protocol == 3 ? pairs : pairs * 2);
    }

    /** Appends the header of a push message (Pub/Sub): {@code >n} in RESP3, an array in RESP2. */
    public static void writePushHeader(ByteBuf buf, int protocol, long n) {
        writeLength(buf, protocol == 3 ? '>' : '*', n);
    }

    /**
     * Turns the RESP2 array at {@code frame}'s reader index into the RESP3 push with the same
     * elements, in place: the two headers differ only in their type byte.
     */
    public static void arrayToPush(ByteBuf frame) {
        frame.setByte(frame.readerIndex(), '>');
    }

    /** Appends {@code :value}. */
    public static void writeInteger(ByteBuf buf, long value) {
        writeLength(buf, ':', value);
    }

    /** Appends the null of {@code protocol}: {@code $-1} in RESP2, {@code _} in RESP3. */
    public static void writeNull(ByteBuf buf, int protocol) {
        if (protocol == 3) {
            buf.writeByte('_');
            crlf(buf);
        } else {
            writeLength(buf, '$', -1);
        }
    }

    /** Appends {@code ,decimal}, a RESP3 double, from its text as the caller formatted it (e.g. {@code 1.250}). */
    public static void writeDouble(ByteBuf buf, String decimal) {
        writeSimple(buf, ',', decimal);
    }

    /** Appends {@code +text}; a CR or LF in {@code text} becomes a space, since a simple string cannot hold one. */
    public static void writeStatus(ByteBuf buf, String text) {
        writeSimple(buf, '+', text);
    }

    /** Appends {@code -message}; the message starts with its code (ERR, CROSSSLOT, ...). CR and LF become spaces. */
    public static void writeError(ByteBuf buf, String message) {
        writeSimple(buf, '-', message);
    }

    /** Appends {@code $len value}. */
    public static void writeBulk(ByteBuf buf, byte[] value) {
        writeLength(buf, '$', value.length);
        buf.writeBytes(value);
        crlf(buf);
    }

    /** Appends {@code src[index, index+length)} as a bulk string (an argument copied from a request frame). */
    public static void writeBulk(ByteBuf buf, ByteBuf src, int index, int length) {
        writeLength(buf, '$', length);
        buf.writeBytes(src, index, length);
        crlf(buf);
    }

    /** Appends {@code text} in UTF-8 as a bulk string, without a byte[] in between. */
    public static void writeBulk(ByteBuf buf, CharSequence text) {
        writeLength(buf, '$', ByteBufUtil.utf8Bytes(text));
        ByteBufUtil.writeUtf8(buf, text);
        crlf(buf);
    }

    /** Appends {@code value} in decimal as a bulk string (a count or a timeout as a command's argument). */
    public static void writeBulk(ByteBuf buf, long value) {
        writeLength(buf, '$', Numbers.decimalLength(value));
        Numbers.writeDecimal(buf, value);
        crlf(buf);
    }

    /** Appends {@code words} as a command: an array of bulk strings in UTF-8. */
    public static void writeCommand(ByteBuf buf, CharSequence... words) {
        writeArrayHeader(buf, words.length);
        for (CharSequence w : words) {
            writeBulk(buf, w);
        }
    }

    /** {@code words} as a command in a new buffer of {@code alloc} that the caller owns. */
    public static ByteBuf command(ByteBufAllocator alloc, CharSequence... words) {
        ByteBuf buf = alloc.buffer(16 * words.length + 16);
        writeCommand(buf, words);
        return buf;
    }

    /** {@code name} followed by {@code args} as a command, in a new buffer of {@code alloc} that the caller owns. */
    public static ByteBuf command(ByteBufAllocator alloc, byte[] name, List<byte[]> args) {
        int size = name.length + 32;
        for (byte[] a : args) {
            size += a.length + 16;
        }
        ByteBuf buf = alloc.buffer(size);
        writeArrayHeader(buf, args.size() + 1L);
        writeBulk(buf, name);
        for (byte[] a : args) {
            writeBulk(buf, a);
        }
        return buf;
    }

    /** Appends {@code $len} only: the caller writes the {@code len} bytes, then {@link #writeBulkEnd}. */
    static void writeBulkHeader(ByteBuf buf, long length) {
        writeLength(buf, '$', length);
    }

    /** Appends the CRLF that ends a bulk string whose header {@link #writeBulkHeader} wrote. */
    static void writeBulkEnd(ByteBuf buf) {
        crlf(buf);
    }

    /** Appends {@code marker n}, the header of a bulk ({@code $}), an array ({@code *}) or another aggregate. */
    static void writeLength(ByteBuf buf, char marker, long n) {
        buf.writeByte(marker);
        Numbers.writeDecimal(buf, n);
        crlf(buf);
    }

    private static void writeSimple(ByteBuf buf, char marker, String text) {
        buf.writeByte(marker);
        buf.writeCharSequence(text.replace('\r', ' ').replace('\n', ' '), StandardCharsets.UTF_8);
        crlf(buf);
    }

    private static void crlf(ByteBuf buf) {
        buf.writeByte('\r').writeByte('\n');
    }
}
