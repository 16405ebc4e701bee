package io.kvstore.proxy.pubsub;

import io.netty.buffer.ByteBuf;

/**
 * A client subscribed through its loop's {@link PubSubHub}. Called on that loop only.
 */
public interface Subscriber {

    /** The RESP version messages must be in (2: arrays, 3: push messages). */
    int protocol();

    /** Passes on a message; takes ownership of {@code message}. */
    void deliver(ByteBuf message);

    /** The shared connection carrying a subscription of this client was lost, or its server refused the subscription: the client must be closed. */
    void lost(String why);
}
