package io.kvstore.proxy.stats;

import io.netty.buffer.ByteBuf;
import java.util.Locale;

/**
 * The kinds of error reply a client gets, by the error's first word: the proxy's own refusals
 * (CROSSSLOT, TRYAGAIN, CLUSTERDOWN, NOREPLICAS), a generic ERR (which covers an unreachable or
 * lost backend), any other code a backend returned (WRONGTYPE, ...) and protocol errors (the
 * client's bytes were not RESP). Immutable.
 */
public enum ErrorKind {
    CROSSSLOT, TRYAGAIN, CLUSTERDOWN, NOREPLICAS, ERR, OTHER,
    /** A client sent bytes that are not RESP: counted by the session, never matched from a reply's text. */
    PROTOCOL;

    private final byte[] word = name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The kind of {@code reply}, an error reply ({@code -} or RESP3 {@code !}). */
    static ErrorKind of(ByteBuf reply) {
        int start = reply.readerIndex() + 1;
        if (reply.getByte(reply.readerIndex()) == '!') {
            start = reply.indexOf(start, reply.writerIndex(), (byte) '\n') + 1; // past the blob's length
        }
        for (ErrorKind k : values()) {
            if (k != OTHER && k != PROTOCOL && startsWith(reply, start, k.word)) {
                return k;
            }
        }
        return OTHER;
    }

    private static boolean startsWith(ByteBuf reply, int at, byte[] word) {
        if (at <= 0 || at + word.length >= reply.writerIndex()) {
            return false;
        }
        for (int i = 0; i < word.length; i++) {
            if (reply.getByte(at + i) != word[i]) {
                return false;
            }
        }
        byte after = reply.getByte(at + word.length);
        return after == ' ' || after == '\r';
    }

    /** The label value in metrics. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
