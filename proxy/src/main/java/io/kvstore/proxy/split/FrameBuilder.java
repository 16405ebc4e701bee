package io.kvstore.proxy.split;

import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.Request;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Builds new request frames from arguments of a client's request (fragments, rewritten cursors). Stateless. */
public final class FrameBuilder {

    private FrameBuilder() {
    }

    /** A command made of the arguments {@code args[0..count)} of {@code request}, in that order. */
    public static ByteBuf command(ByteBufAllocator alloc, Request request, int[] args, int count) {
        int size = 16;
        for (int i = 0; i < count; i++) {
            size += request.argLength(args[i]) + 16;
        }
        ByteBuf out = alloc.buffer(size);
        Replies.writeLength(out, '*', count);
        for (int i = 0; i < count; i++) {
            writeArg(out, request, args[i]);
        }
        return out;
    }

    /** The request with argument {@code index} replaced by {@code value}. */
    public static ByteBuf replacing(ByteBufAllocator alloc, Request request, int index, byte[] value) {
        ByteBuf out = alloc.buffer(request.frame().readableBytes() + value.length + 16);
        Replies.writeLength(out, '*', request.argCount());
        for (int i = 0; i < request.argCount(); i++) {
            if (i == index) {
                Replies.writeBulk(out, value);
            } else {
                writeArg(out, request, i);
            }
        }
        return out;
    }

    private static void writeArg(ByteBuf out, Request request, int i) {
        Replies.writeLength(out, '$', request.argLength(i));
        out.writeBytes(request.frame(), request.argOffset(i), request.argLength(i));
        out.writeByte('\r').writeByte('\n');
    }
}
