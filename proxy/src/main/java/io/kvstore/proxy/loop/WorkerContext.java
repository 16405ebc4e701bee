package io.kvstore.proxy.loop;

import io.kvstore.proxy.backend.BackendOptions;
import io.kvstore.proxy.backend.BackendPool;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

/**
 * Everything one worker event loop owns besides its client channels: its flush batch and its
 * backend connections. Made once per loop at start-up and only touched by that loop, which is
 * why none of it needs a lock.
 */
public final class WorkerContext {

    private final EventLoop loop;
    private final FlushBatch flushBatch;
    private final BackendPool backends;

    public WorkerContext(EventLoop loop, BackendOptions options, Class<? extends Channel> channelClass) {
        this.loop = loop;
        this.flushBatch = new FlushBatch(loop);
        this.backends = new BackendPool(loop, flushBatch, options, channelClass);
    }

    public EventLoop loop() {
        return loop;
    }

    public FlushBatch flushBatch() {
        return flushBatch;
    }

    public BackendPool backends() {
        return backends;
    }
}
