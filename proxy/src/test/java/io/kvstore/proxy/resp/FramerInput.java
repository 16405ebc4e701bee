package io.kvstore.proxy.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Input for the framer tests ({@link RequestFramerTest}, {@link ReplyFramerTest}): protocol text
 * as bytes, pooled buffers, and the ways a test cuts a stream into reads. Stateless. A buffer made
 * here belongs to the caller until it is written into a channel, whose framer then releases it.
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

    /** A pooled buffer, so the leak detector tracks it and slices of it count their own references. */
    static ByteBuf pooled(byte[] b, int from, int to) {
        return ByteBufAllocator.DEFAULT.buffer(Math.max(1, to - from)).writeBytes(b, from, to - from);
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

    /** Every byte of {@code all} as a read of its own. */
    static List<byte[]> oneByteAtATime(byte[] all) {
        List<byte[]> chunks = new ArrayList<>();
        for (byte b : all) {
            chunks.add(new byte[] {b});
        }
        return chunks;
    }
}
