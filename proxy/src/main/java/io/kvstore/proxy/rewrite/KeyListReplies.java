package io.kvstore.proxy.rewrite;

import io.kvstore.config.rewrite.KeyGlob;
import io.kvstore.config.rewrite.RewriteRules;
import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.ReplyReader;
import io.kvstore.proxy.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Reply filters for the commands whose replies carry key names, while the cluster has rewrite
 * rules: each name found on a server is shown by its logical name, or left out when it is not
 * visible (an old generation, a key stored under its own name before its pattern got a rule), and
 * matched against the client's pattern, which the servers could not match against physical
 * names. Each filter takes ownership of the reply it is given and returns the one to send.
 * Stateless functions; run on the client's event loop.
 */
final class KeyListReplies {

    private KeyListReplies() {
    }

    /** KEYS: an array of names. */
    static UnaryOperator<ByteBuf> keys(RewriteRules rules, byte[] pattern) {
        return reply -> {
            if (ReplyReader.type(reply) != '*') {
                return reply;
            }
            try {
                List<byte[]> names = visible(rules, pattern, reply, reply.readerIndex());
                ByteBuf out = reply.alloc().buffer();
                writeArray(out, names);
                return out;
            } finally {
                reply.release();
            }
        };
    }

    /** SCAN: {@code [cursor, [names]]}; the cursor is kept. */
    static UnaryOperator<ByteBuf> scan(RewriteRules rules, byte[] pattern) {
        return reply -> {
            if (ReplyReader.type(reply) != '*') {
                return reply;
            }
            try {
                int cursorAt = ReplyReader.afterLine(reply, reply.readerIndex());
                int namesAt = ReplyReader.end(reply, cursorAt);
                List<byte[]> names = visible(rules, pattern, reply, namesAt);
                ByteBuf out = reply.alloc().buffer();
                RespWriter.writeArrayHeader(out, 2);
                out.writeBytes(reply, cursorAt, namesAt - cursorAt);
                writeArray(out, names);
                return out;
            } finally {
                reply.release();
            }
        };
    }

    /** RANDOMKEY: a name, or a null when the one drawn is not visible. */
    static UnaryOperator<ByteBuf> randomKey(RewriteRules rules, int protocol) {
        return reply -> {
            byte t = ReplyReader.type(reply);
            if (t != '$' || ReplyReader.isNull(reply, reply.readerIndex())) {
                return reply;
            }
            try {
                byte[] name = rules.visible(ReplyReader.bulk(reply, reply.readerIndex()));
                return name == null ? Replies.nullValue(protocol) : Replies.bulk(reply.alloc(), name);
            } finally {
                reply.release();
            }
        };
    }

    /**
     * BLPOP, BRPOP, BZPOPMIN/MAX, LMPOP, BLMPOP, ZMPOP, BZMPOP: an array whose first element names
     * the key the value came from; shown by its logical name.
     */
    static UnaryOperator<ByteBuf> keyFirst() {
        return reply -> {
            if (ReplyReader.type(reply) != '*' || ReplyReader.isNull(reply, reply.readerIndex())) {
                return reply;
            }
            try {
                ByteBuf out = reply.alloc().buffer(reply.readableBytes());
                int first = ReplyReader.afterLine(reply, reply.readerIndex());
                out.writeBytes(reply, reply.readerIndex(), first - reply.readerIndex());
                copyLogical(reply, first, out);
                int rest = ReplyReader.end(reply, first);
                out.writeBytes(reply, rest, reply.writerIndex() - rest);
                return out;
            } finally {
                reply.release();
            }
        };
    }

    /** XREAD, XREADGROUP: per stream {@code [key, entries]} (RESP2) or a map of key to entries (RESP3). */
    static UnaryOperator<ByteBuf> streams() {
        return reply -> {
            byte t = ReplyReader.type(reply);
            if (t != '*' && t != '%' || ReplyReader.isNull(reply, reply.readerIndex())) {
                return reply;
            }
            try {
                ByteBuf out = reply.alloc().buffer(reply.readableBytes());
                long n = ReplyReader.number(reply, reply.readerIndex());
                int at = ReplyReader.afterLine(reply, reply.readerIndex());
                out.writeBytes(reply, reply.readerIndex(), at - reply.readerIndex());
                for (long i = 0; i < n; i++) {
                    int keyAt = at;
                    if (t == '*') { // [key, entries]: the pair's header, then its key
                        keyAt = ReplyReader.afterLine(reply, at);
                        out.writeBytes(reply, at, keyAt - at);
                    }
                    copyLogical(reply, keyAt, out);
                    int entries = ReplyReader.end(reply, keyAt);
                    int next = ReplyReader.end(reply, entries);
                    out.writeBytes(reply, entries, next - entries);
                    at = next;
                }
                return out;
            } finally {
                reply.release();
            }
        };
    }

    /** Writes the bulk string at {@code at} of {@code reply} to {@code out}, by its logical name when it is a physical one. */
    private static void copyLogical(ByteBuf reply, int at, ByteBuf out) {
        byte[] name = ReplyReader.bulk(reply, at);
        if (name == null || reply.getByte(at) != '$') {
            out.writeBytes(reply, at, ReplyReader.end(reply, at) - at);
        } else {
            RespWriter.writeBulk(out, io.kvstore.config.RewrittenKey.logical(name));
        }
    }

    private static List<byte[]> visible(RewriteRules rules, byte[] pattern, ByteBuf reply, int arrayAt) {
        long n = ReplyReader.number(reply, arrayAt);
        List<byte[]> names = new ArrayList<>((int) Math.max(0, Math.min(n, 1024)));
        int at = ReplyReader.afterLine(reply, arrayAt);
        for (long i = 0; i < n; i++) {
            byte[] raw = ReplyReader.bulk(reply, at);
            at = ReplyReader.end(reply, at);
            byte[] name = raw == null ? null : rules.visible(raw);
            if (name != null && (pattern == null || KeyGlob.matches(pattern, name))) {
                names.add(name);
            }
        }
        return names;
    }

    private static void writeArray(ByteBuf out, List<byte[]> names) {
        RespWriter.writeArrayHeader(out, names.size());
        for (byte[] name : names) {
            RespWriter.writeBulk(out, name);
        }
    }
}
