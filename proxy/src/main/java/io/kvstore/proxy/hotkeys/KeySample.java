package io.kvstore.proxy.hotkeys;

import io.netty.buffer.ByteBuf;

/**
 * One sampled request waiting for its reply: its keys, copied out of the frame, and its size.
 * Made and completed on the client's event loop, by the pending reply that answers the request.
 */
public final class KeySample {

    private final KeySampler sampler;
    private final Key[] keys;
    private final int requestBytes;

    KeySample(KeySampler sampler, Key[] keys, int requestBytes) {
        this.sampler = sampler;
        this.keys = keys;
        this.requestBytes = requestBytes;
    }

    /** The request was answered with {@code reply} (null: nothing written): counts it with its size. */
    public void replied(ByteBuf reply) {
        sampler.record(keys, requestBytes + (reply == null ? 0 : reply.readableBytes()));
    }
}
