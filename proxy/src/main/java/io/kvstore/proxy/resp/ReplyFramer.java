package io.kvstore.proxy.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.util.ByteProcessor;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a backend's byte stream into complete replies, each a retained slice of the read buffer
 * holding one reference for its consumer (as a {@link Request}'s frame: its count may be shared
 * with the read buffer's other replies, so only releasing it once means anything), so a reply
 * reaches the client without being decoded or copied. Understands RESP2 and RESP3
 * types, nested to any depth. One instance per backend channel, used only on its event loop.
 *
 * <p>Resumable like {@link RequestFramer}: a large reply (KEYS over a big keyspace) arriving over
 * many reads is scanned once. {@code pending[0..depth)} holds how many elements each open
 * aggregate still waits for; positions are relative to the reply start.
 *
 * <p>Invariant: no length or element count above {@code maxLength} (the proxy's
 * {@code --max-bulk-length}, at most {@code Integer.MAX_VALUE - 64}) is ever accepted, so a map's or
 * an attribute's count doubled to elements ({@code 2n + 1}) cannot overflow; a backend that sends
 * one gets the documented {@link CorruptedFrameException} (its connection is closed and its
 * pending requests fail). No real reply comes near it: a reply is one buffer of at most 2 GB.
 */
public final class ReplyFramer extends ByteToMessageDecoder {

    private static final int PRESIZE_THRESHOLD = 256 * 1024;

    private final long maxLength;
    private int pos;
    private int depth;
    private long[] pending = new long[8];

    /** A framer with the default limit ({@link FramerLimits#DEFAULTS}' bulk length). */
    public ReplyFramer() {
        this(FramerLimits.DEFAULTS.maxBulkLength());
    }

    /** A framer that refuses a bulk reply longer than {@code maxLength} bytes or an aggregate of more elements. */
    public ReplyFramer(long maxLength) {
        if (maxLength < 1 || maxLength > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("maxLength out of range: " + maxLength);
        }
        this.maxLength = maxLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        while (true) {
            int at = start + pos;
            if (at >= in.writerIndex()) {
                return;
            }
            int lf = in.forEachByte(at, in.writerIndex() - at, ByteProcessor.FIND_LF);
            if (lf < 0) {
                return;
            }
            byte type = in.getByte(at);
            long n;
            switch (type) {
                case '+', '-', ':', '_', ',', '#', '(' -> pos = lf + 1 - start;
                case '$', '!', '=' -> {
                    n = length(in, at, lf);
                    if (n > maxLength) { // also: no buffer holds more than 2 GB, and lf + 1 + n + 2 would overflow an int
                        throw new CorruptedFrameException("backend sent a bulk reply of " + n
                                + " bytes, more than --max-bulk-length " + maxLength);
                    }
                    if (n >= 0) {
                        long missing = lf + 1 + n + 2 - (long) in.writerIndex();
                        if (missing > 0) {
                            if (missing > PRESIZE_THRESHOLD) {
                                // grow by what has arrived (doubling): each byte is copied O(1) times
                                int grow = (int) Math.min(missing, Math.max(in.readableBytes(), PRESIZE_THRESHOLD));
                                in.ensureWritable(grow, false); // a hint only
                            }
                            return;
                        }
                        pos = (int) (lf + 1 + n + 2 - start);
                    } else {
                        pos = lf + 1 - start;
                    }
                }
                case '*', '~', '>', '%', '|' -> {
                    n = length(in, at, lf);
                    if (n > maxLength) { // checked before doubling a map's count: 2n + 1 stays far from overflow
                        throw new CorruptedFrameException("backend sent an aggregate of " + n
                                + " elements, more than --max-bulk-length " + maxLength);
                    }
                    pos = lf + 1 - start;
                    if (type == '%') {
                        n *= 2;
                    } else if (type == '|') {
                        // An attribute belongs to the value it annotates: its n pairs, then that value.
                        n = n * 2 + 1;
                    }
                    if (n > 0) {
                        push(n);
                        continue;
                    }
                }
                default -> throw new CorruptedFrameException("backend sent byte " + type + " where a reply type was expected");
            }
            // A value is complete: close every aggregate it completes.
            while (depth > 0 && --pending[depth - 1] == 0) {
                depth--;
            }
            if (depth == 0) {
                out.add(in.retainedSlice(start, pos));
                in.readerIndex(start + pos);
                start = in.readerIndex();
                pos = 0;
            }
        }
    }

    private void push(long n) {
        if (depth == pending.length) {
            pending = Arrays.copyOf(pending, depth * 2);
        }
        pending[depth++] = n;
    }

    private static long length(ByteBuf in, int at, int lf) {
        if (lf - 1 <= at || in.getByte(lf - 1) != '\r') {
            throw new CorruptedFrameException("backend reply line without CRLF");
        }
        long n = Numbers.parseLong(in, at + 1, lf - 1 - at - 1);
        if (n == Numbers.INVALID) {
            throw new CorruptedFrameException("backend reply with a bad length");
        }
        return n;
    }
}
