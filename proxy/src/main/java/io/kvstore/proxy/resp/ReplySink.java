package io.kvstore.proxy.resp;

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

    /**
     * Whether the reply may take as long as it likes on purpose (a blocking command such as
     * BLPOP): a connection whose oldest pending request is such a one is not failed for stalling.
     */
    default boolean waitsOnPurpose() {
        return false;
    }

    /**
     * A sink for a command whose reply nobody needs (MULTI before a queue, UNWATCH, HELLO or
     * CLIENT TRACKING on a connection): the reply is released; a failure is carried by the
     * requests behind it on the same connection.
     */
    static ReplySink discarding() {
        return Discarding.INSTANCE;
    }

    /** The one {@link #discarding()} sink. */
    enum Discarding implements ReplySink {
        INSTANCE;

        @Override
        public void onReply(ByteBuf reply) {
            reply.release();
        }

        @Override
        public void onFailure(String message) {
            // the requests behind it fail the same way, and carry the error
        }
    }
}
