package io.kvstore.proxy.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * An {@link EmbeddedChannel} for one fuzz input, whose buffers (the reads written into it, the
 * decoder's cumulation, inline requests re-encoded) all come from a pooled allocator of the fuzz
 * tests' own, without thread caches so that its count of live allocations is exact. After
 * {@link #close()} that count must be zero: a leak fails the very input that caused it, without
 * waiting for a GC and the paranoid leak detector (which still runs, and still fails the test at
 * its end). Pooled as the proxy's buffers are, so that retained slices count their own
 * references. One thread at a time.
 */
final class FuzzChannel implements AutoCloseable {

    private static final PooledByteBufAllocator ALLOC = new PooledByteBufAllocator(false, 1, 0, 8192, 9, 0, 0, false);
    final EmbeddedChannel ch = new EmbeddedChannel();

    FuzzChannel(ChannelHandler framer) {
        ch.config().setAllocator(ALLOC);
        ch.pipeline().addLast(framer);
    }

    /**
     * Closes the channel (what is left unread is released) and checks that every byte it
     * allocated was released.
     */
    @Override
    public void close() {
        try {
            ch.finishAndReleaseAll();
        } finally {
            assertEquals(0, ALLOC.metric().heapArenas().stream().mapToLong(PoolArenaMetric::numActiveAllocations).sum(),
                    "buffers never released");
        }
    }
}
