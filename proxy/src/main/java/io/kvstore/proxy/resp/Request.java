package io.kvstore.proxy.resp;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;
import java.nio.charset.StandardCharsets;

/**
 * One client command as a RESP multibulk frame plus the position of each argument inside it.
 * Owned by the event loop of the client that sent it.
 *
 * <p>Invariant: {@link #frame()} holds exactly one well-formed multibulk
 * ({@code *N\r\n$len\r\narg\r\n...}) and argument {@code i} is the {@code argLength(i)} bytes at
 * {@code argOffset(i)} of it. The frame is a slice of the client's read buffer, so forwarding it
 * to a backend copies nothing; inline commands are re-encoded into this form once, by the framer.
 * A request has no reference count of its own: it is that of the frame, so writing the frame to
 * a backend hands the request over, and releasing the request releases the frame. Its owner holds
 * one reference and releases it once; {@link #refCnt()} and {@link #release()}'s result depend on
 * the allocator and say nothing about this request alone (a pooled buffer's retained slice counts
 * its own references; the adaptive allocator's shares the read buffer's count with every frame
 * cut from it, doc/performance.md), so no code decides anything by them.
 */
public final class Request implements ReferenceCounted {

    private final ByteBuf frame;
    private final int[] args; // offset, length pairs relative to frame's reader index

    Request(ByteBuf frame, int[] args) {
        this.frame = frame;
        this.args = args;
    }

    /** A request made of {@code words}, encoded as a multibulk in a new buffer the caller owns. */
    public static Request of(io.netty.buffer.ByteBufAllocator alloc, java.util.List<byte[]> words) {
        int size = 16;
        for (byte[] w : words) {
            size += w.length + 16;
        }
        ByteBuf buf = alloc.buffer(size);
        int[] offsets = new int[words.size() << 1];
        RespWriter.writeArrayHeader(buf, words.size());
        for (int i = 0; i < words.size(); i++) {
            byte[] w = words.get(i);
            RespWriter.writeBulkHeader(buf, w.length);
            offsets[i << 1] = buf.writerIndex();
            offsets[(i << 1) + 1] = w.length;
            buf.writeBytes(w);
            RespWriter.writeBulkEnd(buf);
        }
        return new Request(buf, offsets);
    }

    /**
     * A copy of this request in a new buffer the caller owns, with argument {@code index[k]}
     * replaced by {@code values[k]} ({@code index} ascending); the other arguments are copied
     * from this frame as they are. This request is left as it is.
     */
    public Request replacing(io.netty.buffer.ByteBufAllocator alloc, int[] index, byte[][] values) {
        int size = frame.readableBytes() + 16 * index.length;
        for (byte[] v : values) {
            size += v.length;
        }
        ByteBuf buf = alloc.buffer(size);
        int n = argCount();
        int[] offsets = new int[n << 1];
        RespWriter.writeArrayHeader(buf, n);
        for (int i = 0, k = 0; i < n; i++) {
            boolean replaced = k < index.length && index[k] == i;
            int len = replaced ? values[k].length : argLength(i);
            RespWriter.writeBulkHeader(buf, len);
            offsets[i << 1] = buf.writerIndex();
            offsets[(i << 1) + 1] = len;
            if (replaced) {
                buf.writeBytes(values[k++]);
            } else {
                buf.writeBytes(frame, argOffset(i), len);
            }
            RespWriter.writeBulkEnd(buf);
        }
        return new Request(buf, offsets);
    }

    /** The whole frame, ready to write as is. Not retained for the caller. */
    public ByteBuf frame() {
        return frame;
    }

    public int argCount() {
        return args.length >> 1;
    }

    public int argOffset(int i) {
        return frame.readerIndex() + args[i << 1];
    }

    public int argLength(int i) {
        return args[(i << 1) + 1];
    }

    /** Argument {@code i} decoded as UTF-8; for names and small options, not for values on the hot path. */
    public String argString(int i) {
        return frame.toString(argOffset(i), argLength(i), StandardCharsets.UTF_8);
    }

    /** A copy of argument {@code i}. */
    public byte[] argBytes(int i) {
        byte[] out = new byte[argLength(i)];
        frame.getBytes(argOffset(i), out);
        return out;
    }

    /** Whether argument {@code i} equals {@code upper} ignoring ASCII case; {@code upper} must be upper case. */
    public boolean argIs(int i, String upper) {
        int len = argLength(i);
        if (len != upper.length()) {
            return false;
        }
        int off = argOffset(i);
        for (int k = 0; k < len; k++) {
            int b = frame.getByte(off + k);
            if (b >= 'a' && b <= 'z') {
                b -= 32;
            }
            if (b != upper.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Argument {@code i} as a signed decimal integer, or {@code Long.MIN_VALUE} when it is not one. */
    public long argLong(int i) {
        return Numbers.parseLong(frame, argOffset(i), argLength(i));
    }

    @Override
    public int refCnt() {
        return frame.refCnt();
    }

    @Override
    public Request retain() {
        frame.retain();
        return this;
    }

    @Override
    public Request retain(int increment) {
        frame.retain(increment);
        return this;
    }

    @Override
    public Request touch() {
        frame.touch();
        return this;
    }

    @Override
    public Request touch(Object hint) {
        frame.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return frame.release();
    }

    @Override
    public boolean release(int decrement) {
        return frame.release(decrement);
    }

    @Override
    public String toString() {
        return "Request{" + (argCount() > 0 ? argString(0) : "") + ", argc=" + argCount() + "}";
    }
}
