package io.kvstore.proxy.resp;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;

/**
 * Reads inside one complete reply that {@link ReplyFramer} has already cut, to merge replies of
 * split and fanned-out commands. Positions are absolute buffer indexes. Stateless.
 *
 * <p>Only merges need this; single-key replies are forwarded without being looked at.
 */
public final class ReplyReader {

    private ReplyReader() {
    }

    public static byte type(ByteBuf reply) {
        return reply.getByte(reply.readerIndex());
    }

    /** A simple error ({@code -}) or, in RESP3, a blob error ({@code !}). */
    public static boolean isError(ByteBuf reply) {
        byte t = type(reply);
        return t == '-' || t == '!';
    }

    /** The text of an error reply of either kind, without its type byte and CRLF. */
    public static String errorText(ByteBuf reply) {
        int at = reply.readerIndex();
        if (type(reply) != '!') {
            return line(reply, at);
        }
        return reply.toString(afterLine(reply, at), (int) number(reply, at), StandardCharsets.UTF_8);
    }

    /** Whether the value at {@code at} is a null: RESP3's {@code _}, or RESP2's null bulk or null array. */
    public static boolean isNull(ByteBuf reply, int at) {
        byte t = reply.getByte(at);
        return t == '_' || (t == '$' || t == '*') && reply.getByte(at + 1) == '-';
    }

    /** The text after the type byte of a one-line reply (error, status, integer), without CRLF. */
    public static String line(ByteBuf reply, int at) {
        int lf = reply.forEachByte(at, reply.writerIndex() - at, ByteProcessor.FIND_LF);
        return reply.toString(at + 1, lf - 1 - at - 1, StandardCharsets.UTF_8);
    }

    /** The number on the header line at {@code at} ({@code :42}, {@code *3}, {@code $5}). */
    public static long number(ByteBuf reply, int at) {
        int lf = reply.forEachByte(at, reply.writerIndex() - at, ByteProcessor.FIND_LF);
        return Numbers.parseLong(reply, at + 1, lf - 1 - at - 1);
    }

    /** Index just past the header line at {@code at}. */
    public static int afterLine(ByteBuf reply, int at) {
        return reply.forEachByte(at, reply.writerIndex() - at, ByteProcessor.FIND_LF) + 1;
    }

    /** Index just past the whole value that starts at {@code at}, nested values included. */
    public static int end(ByteBuf reply, int at) {
        byte type = reply.getByte(at);
        int next = afterLine(reply, at);
        switch (type) {
            case '$', '!', '=' -> {
                long n = number(reply, at);
                return n < 0 ? next : next + (int) n + 2;
            }
            case '*', '~', '>', '%', '|' -> {
                long n = number(reply, at);
                if (type == '%') {
                    n *= 2;
                } else if (type == '|') {
                    n = n * 2 + 1; // the attribute's pairs, then the value it annotates
                }
                for (long i = 0; i < n; i++) {
                    next = end(reply, next);
                }
                return next;
            }
            default -> {
                return next;
            }
        }
    }

    /**
     * The string at {@code at} as bytes: a bulk string, or the text of a RESP3 verbatim string
     * (its format prefix, {@code txt:}, left out); null for a null of either protocol.
     */
    public static byte[] bulk(ByteBuf reply, int at) {
        if (reply.getByte(at) == '_') {
            return null;
        }
        long n = number(reply, at);
        if (n < 0) {
            return null;
        }
        int skip = reply.getByte(at) == '=' ? 4 : 0;
        byte[] out = new byte[(int) n - skip];
        reply.getBytes(afterLine(reply, at) + skip, out);
        return out;
    }
}
