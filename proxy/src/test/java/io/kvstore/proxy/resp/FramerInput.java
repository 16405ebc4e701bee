package io.kvstore.proxy.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Input for the framer tests ({@link RequestFramerTest}, {@link ReplyFramerTest}): protocol text
 * as bytes, buffers of the channel's allocator (a {@link BufferLedger}'s, so each is checked to be
 * freed), and the ways a test cuts a stream into reads. Stateless. A buffer made here belongs to
 * the caller until it is written into a channel, whose framer then releases it.
 */
final class FramerInput {

    private FramerInput() {
    }

    /** The text's bytes, ISO-8859-1, so that any byte value round-trips through a String. */
    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The bytes of each chunk, to be written as one read each. */
    static List<byte[]> reads(String... chunks) {
        List<byte[]> list = new ArrayList<>();
        for (String c : chunks) {
            list.add(bytes(c));
        }
        return list;
    }

    /** {@code b[from, to)} as one read for {@code ch}: a buffer of its allocator, which the leak checks track. */
    static ByteBuf inbound(EmbeddedChannel ch, byte[] b, int from, int to) {
        return buffer(ch.alloc(), b, from, to);
    }

    /** A buffer of {@code alloc} holding {@code b[from, to)}. */
    static ByteBuf buffer(ByteBufAllocator alloc, byte[] b, int from, int to) {
        return alloc.buffer(Math.max(1, to - from)).writeBytes(b, from, to - from);
    }

    /** {@code head}, {@code body} and {@code tail} one after the other, in one new array. */
    static byte[] concat(byte[] head, byte[] body, byte[] tail) {
        byte[] all = new byte[head.length + body.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        System.arraycopy(tail, 0, all, head.length + body.length, tail.length);
        return all;
    }

    /** {@code all} cut at each of {@code cuts} (ascending offsets): one more chunk than cuts, some maybe empty. */
    static List<byte[]> split(byte[] all, int... cuts) {
        List<byte[]> chunks = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            chunks.add(Arrays.copyOfRange(all, from, cut));
            from = cut;
        }
        chunks.add(Arrays.copyOfRange(all, from, all.length));
        return chunks;
    }

    /**
     * Ways to cut {@code all} into reads, for "framing a stream cut anywhere equals framing it
     * whole": one byte at a time (every boundary once); every single cut when the stream is short
     * (up to 16 bytes), else 16 sets of up to 8 cuts drawn from a Random seeded with the bytes, so
     * a run is reproducible from its input alone. Bounded: at most 18 framings per stream.
     */
    static List<List<byte[]>> cuts(byte[] all) {
        List<List<byte[]>> ways = new ArrayList<>();
        ways.add(oneByteAtATime(all));
        if (all.length <= 16) {
            for (int cut = 0; cut <= all.length; cut++) {
                ways.add(split(all, cut));
            }
            return ways;
        }
        Random random = new Random(Arrays.hashCode(all));
        for (int i = 0; i < 16; i++) {
            ways.add(split(all, random.ints(1 + random.nextInt(8), 0, all.length + 1).sorted().toArray()));
        }
        return ways;
    }

    /** Every byte of {@code all} as a read of its own. */
    static List<byte[]> oneByteAtATime(byte[] all) {
        List<byte[]> chunks = new ArrayList<>();
        for (byte b : all) {
            chunks.add(new byte[] {b});
        }
        return chunks;
    }
}
