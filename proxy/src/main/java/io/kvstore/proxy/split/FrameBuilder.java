package io.kvstore.proxy.split;

import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Builds new request frames from arguments of a client's request (fragments, rewritten cursors). Stateless. */
public final class FrameBuilder {

    private FrameBuilder() {
    }

    /**
     * Fragment {@code fragment} of a multi-key command: its name, then each of its {@code keys} keys
     * k (arguments {@code first + k * step} and the {@code step - 1} after it, e.g. MSET's value)
     * with {@code keyFragment[k] == fragment}, in the client's order.
     */
    public static ByteBuf fragment(ByteBufAllocator alloc, Request request, int first, int step, int[] keyFragment,
                                   int fragment, int keys) {
        int size = 16 + request.argLength(0) + 16;
        for (int k = 0; k < keyFragment.length; k++) {
            if (keyFragment[k] == fragment) {
                for (int j = 0; j < step; j++) {
                    size += request.argLength(first + k * step + j) + 16;
                }
            }
        }
        ByteBuf out = alloc.buffer(size);
        RespWriter.writeArrayHeader(out, 1 + keys * step);
        writeArg(out, request, 0);
        for (int k = 0; k < keyFragment.length; k++) {
            if (keyFragment[k] == fragment) {
                for (int j = 0; j < step; j++) {
                    writeArg(out, request, first + k * step + j);
                }
            }
        }
        return out;
    }

    /** The request with argument {@code index} replaced by {@code value}. */
    public static ByteBuf replacing(ByteBufAllocator alloc, Request request, int index, byte[] value) {
        ByteBuf out = alloc.buffer(request.frame().readableBytes() + value.length + 16);
        RespWriter.writeArrayHeader(out, request.argCount());
        for (int i = 0; i < request.argCount(); i++) {
            if (i == index) {
                RespWriter.writeBulk(out, value);
            } else {
                writeArg(out, request, i);
            }
        }
        return out;
    }

    private static void writeArg(ByteBuf out, Request request, int i) {
        RespWriter.writeBulk(out, request.frame(), request.argOffset(i), request.argLength(i));
    }
}
