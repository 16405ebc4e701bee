package io.kvstore.proxy.split;

import io.kvstore.proxy.resp.ReplySink;
import io.netty.buffer.ByteBuf;

/** Sends a request frame to the master of a group of the slot map the command was routed by, for one client. */
@FunctionalInterface
public interface GroupSender {

    /** Takes ownership of {@code frame}; the sink gets exactly one reply or failure. */
    void send(int group, ByteBuf frame, ReplySink sink);
}
