package io.kvstore.proxy.rewrite;

import io.kvstore.config.RewrittenKey;
import io.kvstore.config.rewrite.RewriteRules;
import io.kvstore.proxy.resp.ReplyReader;
import io.kvstore.proxy.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Keyspace notifications under key rewrite. A server names a rewritten key by its stored name, in
 * the channel of {@code __keyspace@<db>__:<key>} and in the payload of
 * {@code __keyevent@<db>__:<event>}; the client must see its own name, and must not hear of keys
 * it cannot see (older generations dying by their TTL, keys of a rule's pattern stored before the
 * rule). A SUBSCRIBE to the keyspace channel of a rewritten key is made on the channel of its
 * stored name. Patterns (PSUBSCRIBE) are passed as given: the messages they match are shown by
 * logical names, but a pattern that names a rewritten key's prefix does not match its stored name
 * (documented in commands.md). Stateless functions; run on the client's event loop.
 */
public final class KeyspaceChannels {

    private static final byte[] SPACE = "__keyspace@".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "__keyevent@".getBytes(StandardCharsets.US_ASCII);

    private KeyspaceChannels() {
    }

    /** The channel to subscribe on the server for a client's {@code channel} under {@code rules} (null: none). */
    public static byte[] stored(RewriteRules rules, byte[] channel) {
        int k = keyStart(channel, SPACE);
        if (rules == null || k < 0) {
            return channel;
        }
        byte[] key = Arrays.copyOfRange(channel, k, channel.length);
        byte[] physical = rules.physical(key);
        return physical == key ? channel : concat(channel, k, physical);
    }

    /** The channel a server confirmed, by the name the client subscribed to (a stored key by its logical name). */
    public static byte[] subscribed(byte[] channel) {
        int k = keyStart(channel, SPACE);
        int start = k < 0 ? -1 : RewrittenKey.logicalStart(channel, k, channel.length - k);
        return start < 0 ? channel : concat(channel, k, Arrays.copyOfRange(channel, start, channel.length));
    }

    /**
     * A {@code message} or {@code pmessage} as the client may see it: the same bytes (a retained
     * duplicate) unless it is a keyspace notification of a rewritten key, then a new message by
     * the logical name, or null when the key is not visible to clients. The caller keeps
     * {@code push}.
     */
    public static ByteBuf shown(RewriteRules rules, ByteBuf push) {
        int head = push.readerIndex();
        long n = ReplyReader.number(push, head);
        int channelAt = ReplyReader.end(push, ReplyReader.afterLine(push, head)); // after the kind
        if (n == 4) {
            channelAt = ReplyReader.end(push, channelAt); // after pmessage's pattern
        }
        if (n < 3 || push.getByte(channelAt) != '$' || push.getByte(ReplyReader.afterLine(push, channelAt)) != '_') {
            return push.retainedDuplicate(); // not a keyspace notification: the usual message pays this one check
        }
        byte[] channel = ReplyReader.bulk(push, channelAt);
        int payloadAt = ReplyReader.end(push, channelAt);
        int k = keyStart(channel, SPACE);
        if (k >= 0) {
            byte[] key = Arrays.copyOfRange(channel, k, channel.length);
            byte[] name = visible(rules, key);
            return name == null ? null : name == key ? push.retainedDuplicate()
                    : rebuilt(push, channelAt, concat(channel, k, name), payloadAt);
        }
        if (keyStart(channel, EVENT) >= 0 && push.getByte(payloadAt) == '$') {
            byte[] key = ReplyReader.bulk(push, payloadAt);
            byte[] name = visible(rules, key);
            return name == null ? null : name == key ? push.retainedDuplicate()
                    : rebuilt(push, payloadAt, name, ReplyReader.end(push, payloadAt));
        }
        return push.retainedDuplicate();
    }

    /** {@code key} as a client sees it ({@code key} itself when unchanged), or null when hidden. */
    private static byte[] visible(RewriteRules rules, byte[] key) {
        if (rules == null) { // no rule now: a stored name left from a removed rule is hidden
            return RewrittenKey.reserved(key, 0, key.length) ? null : key;
        }
        return rules.visible(key); // key itself for a key of no rule
    }

    /** {@code push} with the bulk string in {@code [at, next)} replaced by {@code value}. */
    private static ByteBuf rebuilt(ByteBuf push, int at, byte[] value, int next) {
        ByteBuf out = push.alloc().buffer(push.readableBytes() + value.length);
        out.writeBytes(push, push.readerIndex(), at - push.readerIndex());
        RespWriter.writeBulk(out, value);
        out.writeBytes(push, next, push.writerIndex() - next);
        return out;
    }

    /** Where the key (or event) starts in {@code channel} when it starts with {@code prefix} and has its {@code __:}, else -1. */
    private static int keyStart(byte[] channel, byte[] prefix) {
        if (channel.length < prefix.length || !Arrays.equals(channel, 0, prefix.length, prefix, 0, prefix.length)) {
            return -1;
        }
        for (int i = prefix.length; i + 2 < channel.length; i++) {
            if (channel[i] == '_' && channel[i + 1] == '_' && channel[i + 2] == ':') {
                return i + 3;
            }
        }
        return -1;
    }

    private static byte[] concat(byte[] channel, int prefixLength, byte[] key) {
        byte[] out = Arrays.copyOf(channel, prefixLength + key.length);
        System.arraycopy(key, 0, out, prefixLength, key.length);
        return out;
    }
}
