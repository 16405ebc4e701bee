package io.kvstore.proxy.resp;

import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * An {@link EmbeddedChannel} for one fuzz input, whose buffers (the reads written into it, the
 * decoder's cumulation, inline requests re-encoded) all come from a {@link BufferLedger} over the
 * JVM's allocator (pooled or adaptive, as the run says). After {@link #close()} every one of them
 * must be freed: a leak, or a frame emitted with a reference too many, fails the very input that
 * caused it, without waiting for a GC and the paranoid leak detector (which still runs, and
 * still fails the test at its end). One thread at a time.
 */
final class FuzzChannel implements AutoCloseable {

    final EmbeddedChannel ch;

    FuzzChannel(ChannelHandler framer) {
        ch = BufferLedger.channel(framer);
    }

    /**
     * Closes the channel (what is left unread is released) and checks that every buffer it
     * allocated was freed.
     */
    @Override
    public void close() {
        try {
            ch.finishAndReleaseAll();
        } finally {
            BufferLedger.assertAllFreed(ch);
        }
    }
}
