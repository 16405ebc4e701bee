package io.kvstore.proxy.backend;

import io.netty.buffer.ByteBuf;

/**
 * Where a backend reply goes. Called on the event loop that owns the backend connection, which
 * is also the loop of the client that sent the request.
 */
public interface ReplySink {

    /** The complete reply (any RESP type, errors included); the sink takes ownership of the buffer. */
    void onReply(ByteBuf reply);

    /** The request got no reply: the backend was unreachable or the connection broke. {@code message} starts with its code. */
    void onFailure(String message);
}
