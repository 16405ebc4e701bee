package io.kvstore.proxy.resp;

import static io.kvstore.proxy.resp.FramerInput.bytes;
import static io.kvstore.proxy.resp.FramerInput.inbound;
import static io.kvstore.proxy.resp.FramerInput.split;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.IllegalReferenceCountException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opentest4j.AssertionFailedError;

/**
 * The framers under both of Netty's pooling allocators in every run (the other framer tests use
 * the one the run names, {@code -Dnetty.allocator}), and what differs between the two: a pooled
 * buffer's retained slice counts its own references, the adaptive buffer's shares the read
 * buffer's. The contract the proxy relies on holds under both: each frame carries one reference
 * its consumer releases once, after which every buffer is freed ({@link BufferLedger}); a
 * reference too many, or a second release, is caught under both.
 */
class FramerAllocatorsTest {

    private static final String SET = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
    private static final String GET = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";

    /** The two allocators, each made once for this class (their arenas and caches are per instance). */
    enum Kind {
        POOLED(new PooledByteBufAllocator(true)),
        ADAPTIVE(new AdaptiveByteBufAllocator(true, true));

        final ByteBufAllocator alloc;

        Kind(ByteBufAllocator alloc) {
            this.alloc = alloc;
        }
    }

    private static EmbeddedChannel requestChannel(Kind kind) {
        return BufferLedger.channel(kind.alloc, new RequestFramer(FramerLimits.DEFAULTS));
    }

    /** A SET and a GET written as one read: two frames sliced from the same buffer. */
    private static Request[] twoFromOneRead(EmbeddedChannel ch) {
        ch.writeInbound(inbound(ch, bytes(SET + GET), 0, SET.length() + GET.length()));
        return new Request[] {ch.readInbound(), ch.readInbound()};
    }

    private static void finish(EmbeddedChannel ch) {
        ch.finishAndReleaseAll();
        BufferLedger.assertAllFreed(ch);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void requestsCutFromOneReadOrManyAreEachReleasedOnceAndFreeEverything(Kind kind) {
        byte[] all = bytes(SET + GET + "PING\r\n" + SET);
        for (List<byte[]> reads : List.of(List.of(all), split(all, 5, 30, 31, 44), FramerInput.oneByteAtATime(all))) {
            EmbeddedChannel ch = requestChannel(kind);
            List<FramerOutput.Out> out = FramerOutput.requests(ch, reads);
            assertEquals(4, out.size(), "SET, GET, the inline PING re-encoded, SET");
            finish(ch);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void repliesCutFromOneReadAreEachReleasedOnceAndFreeEverything(Kind kind) {
        EmbeddedChannel ch = BufferLedger.channel(kind.alloc, new ReplyFramer());
        String stream = String.join("", ReplyFramerTest.REPLIES);
        assertEquals(ReplyFramerTest.REPLIES, FramerOutput.replies(ch, List.of(bytes(stream))));
        finish(ch);
    }

    /**
     * The cause of the framer tests' old failures under adaptive, as Netty 4.2.18 does it: the
     * first of two requests cut from one read reports the read buffer freed on release under
     * pooled only; under adaptive its count is the read buffer's, which the second still holds.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void whatReleaseReportsDependsOnTheAllocator(Kind kind) {
        EmbeddedChannel ch = requestChannel(kind);
        Request[] two = twoFromOneRead(ch);
        Request first = two[0];
        Request second = two[1];
        assertEquals(kind == Kind.POOLED ? 1 : 2, first.refCnt(), "the decoder let go of the read; two frames hold it");
        assertEquals(kind == Kind.POOLED, first.release(), "the first frame released");
        assertEquals(kind == Kind.POOLED ? 0 : 1, first.refCnt());
        assertTrue(second.release(), "the last frame of the read frees it under both");
        finish(ch);
    }

    /** Positive control of the ledger: a frame kept with a reference too many is reported. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void aReferenceTooManyIsCaught(Kind kind) {
        EmbeddedChannel ch = requestChannel(kind);
        Request[] two = twoFromOneRead(ch);
        Request first = two[0];
        Request second = two[1];
        first.retain(); // a consumer that forgets one release
        first.release();
        second.release();
        ch.finishAndReleaseAll();
        assertThrows(AssertionFailedError.class, () -> BufferLedger.assertAllFreed(ch));
        first.release();
        BufferLedger.assertAllFreed(ch);
    }

    /**
     * A frame released twice throws under both: at once under pooled (the slice's own count is
     * spent), at the next frame of the same read under adaptive (the shared count is).
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void aSecondReleaseIsCaught(Kind kind) {
        EmbeddedChannel ch = requestChannel(kind);
        Request[] two = twoFromOneRead(ch);
        Request first = two[0];
        Request second = two[1];
        assertThrows(IllegalReferenceCountException.class, () -> {
            first.release();
            first.release();
            second.release();
        });
        if (second.refCnt() > 0) { // pooled: the throw came before the second frame's own release
            second.release();
        }
        finish(ch);
    }
}
