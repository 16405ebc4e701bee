package io.kvstore.proxy.split;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Turns the replies of the fragments of one command, in fragment order, into the client's reply.
 * Implementations are stateless or immutable per command; called once, on the client's loop.
 */
@FunctionalInterface
public interface Merger {

    /** The merged reply; {@code replies} stay owned by the caller, who releases them afterwards. */
    ByteBuf merge(ByteBufAllocator alloc, ByteBuf[] replies);
}
