package io.kvstore.proxy.resp;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The framer tests' allocator: the JVM's default one (pooled or adaptive, as
 * {@code -Dio.netty.allocator.type} says; {@code mvn ... -Dnetty.allocator=pooled}) with a list
 * of every buffer it handed out, so a test can check that each was freed. The reads a test writes,
 * the decoder's cumulation and the requests the framer re-encodes all come from here.
 *
 * <p>Why a ledger and not {@code release()}'s result: a frame is a retained slice of the read
 * buffer, and whether releasing it returns true depends on the allocator. A pooled buffer's
 * retained slice counts its own references (its release returns true, and frees the read buffer
 * once the last slice goes); the adaptive buffer inherits {@code AbstractByteBuf.retainedSlice},
 * a slice that shares the read buffer's count (its release returns true only for the last frame
 * of that read buffer). What holds under both, and what the proxy needs, is that each frame
 * carries one reference its consumer releases once: then, once the consumers and the decoder
 * are done, every buffer here is at zero. A reference too many leaves one above zero; one too few
 * makes a later release or read throw {@code IllegalReferenceCountException}.
 *
 * <p>Invariant: {@link #handedOut} holds, in order, every buffer this allocator returned. A freed
 * buffer object may be recycled by its allocator and handed out again; it is then listed twice
 * and counted live while the new owner holds it, which a check at a point where nothing may be
 * live never misjudges. One thread (the test's) at a time.
 */
final class BufferLedger implements ByteBufAllocator {

    private final ByteBufAllocator delegate;
    private final List<ByteBuf> handedOut = new ArrayList<>();

    private BufferLedger(ByteBufAllocator delegate) {
        this.delegate = delegate;
    }

    /** An embedded channel with {@code handlers} whose allocator is a new ledger over the JVM's default allocator. */
    static EmbeddedChannel channel(ChannelHandler... handlers) {
        return channel(ByteBufAllocator.DEFAULT, handlers);
    }

    /** An embedded channel with {@code handlers} whose allocator is a new ledger over {@code delegate}. */
    static EmbeddedChannel channel(ByteBufAllocator delegate, ChannelHandler... handlers) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(new BufferLedger(delegate));
        ch.pipeline().addLast(handlers);
        return ch;
    }

    /** Fails unless every buffer {@code ch}'s ledger handed out has been freed (reference count zero). */
    static void assertAllFreed(EmbeddedChannel ch) {
        if (!(ch.alloc() instanceof BufferLedger ledger)) {
            throw new IllegalArgumentException("not a ledger's channel: " + ch.alloc());
        }
        ledger.assertAllFreed();
    }

    private void assertAllFreed() {
        List<String> live = new ArrayList<>();
        for (ByteBuf buf : handedOut) {
            if (buf.refCnt() != 0) {
                live.add(buf.refCnt() + " reference(s): " + buf);
            }
        }
        if (!live.isEmpty()) {
            fail(live.size() + " of " + handedOut.size() + " buffers not freed (" + delegate.getClass().getSimpleName()
                    + "):\n" + String.join("\n", live));
        }
    }

    private <T extends ByteBuf> T record(T buf) {
        handedOut.add(buf);
        return buf;
    }

    @Override
    public ByteBuf buffer() {
        return record(delegate.buffer());
    }

    @Override
    public ByteBuf buffer(int initialCapacity) {
        return record(delegate.buffer(initialCapacity));
    }

    @Override
    public ByteBuf buffer(int initialCapacity, int maxCapacity) {
        return record(delegate.buffer(initialCapacity, maxCapacity));
    }

    @Override
    public ByteBuf ioBuffer() {
        return record(delegate.ioBuffer());
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity) {
        return record(delegate.ioBuffer(initialCapacity));
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
        return record(delegate.ioBuffer(initialCapacity, maxCapacity));
    }

    @Override
    public ByteBuf heapBuffer() {
        return record(delegate.heapBuffer());
    }

    @Override
    public ByteBuf heapBuffer(int initialCapacity) {
        return record(delegate.heapBuffer(initialCapacity));
    }

    @Override
    public ByteBuf heapBuffer(int initialCapacity, int maxCapacity) {
        return record(delegate.heapBuffer(initialCapacity, maxCapacity));
    }

    @Override
    public ByteBuf directBuffer() {
        return record(delegate.directBuffer());
    }

    @Override
    public ByteBuf directBuffer(int initialCapacity) {
        return record(delegate.directBuffer(initialCapacity));
    }

    @Override
    public ByteBuf directBuffer(int initialCapacity, int maxCapacity) {
        return record(delegate.directBuffer(initialCapacity, maxCapacity));
    }

    @Override
    public CompositeByteBuf compositeBuffer() {
        return record(delegate.compositeBuffer());
    }

    @Override
    public CompositeByteBuf compositeBuffer(int maxNumComponents) {
        return record(delegate.compositeBuffer(maxNumComponents));
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer() {
        return record(delegate.compositeHeapBuffer());
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        return record(delegate.compositeHeapBuffer(maxNumComponents));
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer() {
        return record(delegate.compositeDirectBuffer());
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        return record(delegate.compositeDirectBuffer(maxNumComponents));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return delegate.isDirectBufferPooled();
    }

    @Override
    public int calculateNewCapacity(int minNewCapacity, int maxCapacity) {
        return delegate.calculateNewCapacity(minNewCapacity, maxCapacity);
    }
}
