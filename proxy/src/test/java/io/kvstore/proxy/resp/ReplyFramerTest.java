package io.kvstore.proxy.resp;

import static io.kvstore.proxy.resp.FramerInput.bytes;
import static io.kvstore.proxy.resp.FramerInput.concat;
import static io.kvstore.proxy.resp.FramerInput.inbound;
import static io.kvstore.proxy.resp.FramerInput.oneByteAtATime;
import static io.kvstore.proxy.resp.FramerInput.reads;
import static io.kvstore.proxy.resp.FramerInput.split;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ReplyFramer} through an {@link EmbeddedChannel}: each emitted buffer must be exactly the
 * bytes of one reply, however the stream is cut into reads. Each emitted buffer is released once,
 * and at the end every buffer the channel's allocator handed out must be freed
 * ({@link BufferLedger}: the same checks under the pooled and the adaptive allocator).
 */
class ReplyFramerTest {

    /** One complete reply of every shape, RESP2 and RESP3. */
    static final List<String> REPLIES = List.of(
            "+OK\r\n",
            "+\r\n",
            "-ERR unknown command 'foo'\r\n",
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            ":0\r\n",
            ":-9223372036854775808\r\n",
            ":1000\r\n",
            "$5\r\nhello\r\n",
            "$0\r\n\r\n",
            "$8\r\n*1\r\n:1\r\n\r\n",                 // a bulk whose bytes look like RESP
            "$-1\r\n",
            "*-1\r\n",
            "*0\r\n",
            "*2\r\n$3\r\nfoo\r\n$-1\r\n",
            "*3\r\n:1\r\n+two\r\n$5\r\nthree\r\n",
            // depth 4, with a null array and an empty array inside
            "*3\r\n*1\r\n*1\r\n*1\r\n:1\r\n*-1\r\n*3\r\n+a\r\n*0\r\n*1\r\n$-1\r\n",
            // RESP3
            "%2\r\n+first\r\n:1\r\n+second\r\n*2\r\n:2\r\n:3\r\n",
            "%0\r\n",
            "~3\r\n+a\r\n+b\r\n+c\r\n",
            "~0\r\n",
            "_\r\n",
            ",3.14\r\n",
            ",-inf\r\n",
            "#t\r\n",
            "#f\r\n",
            "(3492890328409238509324850943850943825024385\r\n",
            "=15\r\ntxt:Some string\r\n",
            "!21\r\nSYNTAX invalid syntax\r\n",
            ">3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$5\r\nhello\r\n",
            "*2\r\n%1\r\n$1\r\nk\r\n~2\r\n#t\r\n_\r\n,1e10\r\n",
            "%1\r\n*2\r\n:1\r\n:2\r\n%1\r\n+x\r\n*1\r\n%0\r\n");

    private static List<String> feed(EmbeddedChannel ch, List<byte[]> chunks) {
        return FramerOutput.replies(ch, chunks);
    }

    private static void drain(EmbeddedChannel ch, List<String> out) {
        FramerOutput.drainReplies(ch, out);
    }

    private static List<String> feed(EmbeddedChannel ch, String... chunks) {
        return feed(ch, reads(chunks));
    }

    private static EmbeddedChannel channel() {
        return channel(new ReplyFramer());
    }

    private static EmbeddedChannel channel(ReplyFramer framer) {
        return BufferLedger.channel(framer);
    }

    private static void finish(EmbeddedChannel ch) {
        assertFalse(ch.finishAndReleaseAll(), "nothing left unread");
        BufferLedger.assertAllFreed(ch);
    }

    @Test
    void eachReplyAlone() {
        for (String reply : REPLIES) {
            EmbeddedChannel ch = channel();
            assertEquals(List.of(reply), feed(ch, reply));
            finish(ch);
        }
    }

    @Test
    void eachReplyOneByteAtATime() {
        for (String reply : REPLIES) {
            EmbeddedChannel ch = channel();
            assertEquals(List.of(reply), feed(ch, oneByteAtATime(bytes(reply))), reply);
            finish(ch);
        }
    }

    @Test
    void eachReplySplitAtEveryPosition() {
        for (String reply : REPLIES) {
            byte[] all = bytes(reply);
            for (int cut = 0; cut <= all.length; cut++) {
                EmbeddedChannel ch = channel();
                assertEquals(List.of(reply), feed(ch, split(all, cut)), reply + " split at " + cut);
                finish(ch);
            }
        }
    }

    @Test
    void manyRepliesPipelinedInOneBuffer() {
        EmbeddedChannel ch = channel();
        assertEquals(REPLIES, feed(ch, String.join("", REPLIES)));
        finish(ch);
    }

    @Test
    void manyRepliesPipelinedOneByteAtATime() {
        EmbeddedChannel ch = channel();
        assertEquals(REPLIES, feed(ch, oneByteAtATime(bytes(String.join("", REPLIES)))));
        finish(ch);
    }

    @Test
    void manyRepliesPipelinedInRandomChunks() {
        byte[] all = bytes(String.join("", REPLIES));
        Random random = new Random(11);
        for (int round = 0; round < 30; round++) {
            List<byte[]> chunks = new ArrayList<>();
            for (int at = 0; at < all.length; ) {
                int n = Math.min(all.length - at, 1 + random.nextInt(40));
                chunks.add(Arrays.copyOfRange(all, at, at + n));
                at += n;
            }
            EmbeddedChannel ch = channel();
            assertEquals(REPLIES, feed(ch, chunks), "round " + round);
            finish(ch);
        }
    }

    @Test
    void deepNesting() {
        int depth = 100; // beyond the initial capacity of the pending-count stack
        String reply = "*1\r\n".repeat(depth) + ":7\r\n";
        String nested = "*2\r\n".repeat(depth) + ":1\r\n".repeat(depth + 1);
        EmbeddedChannel ch = channel();
        assertEquals(List.of(reply, nested, "+OK\r\n"), feed(ch, reply + nested + "+OK\r\n"));
        finish(ch);
    }

    @Test
    void twoMegabyteBulkSplitOverWrites() {
        byte[] value = new byte[2 * 1024 * 1024];
        new Random(3).nextBytes(value);
        byte[] head = bytes("$" + value.length + "\r\n");
        byte[] tail = bytes("\r\n:1\r\n");
        byte[] all = concat(head, value, tail);

        EmbeddedChannel ch = channel();
        List<ByteBuf> replies = new ArrayList<>();
        int chunk = 16_411;
        for (int at = 0; at < all.length; at += chunk) {
            int to = Math.min(all.length, at + chunk);
            ch.writeInbound(inbound(ch, all, at, to));
            for (ByteBuf reply; (reply = ch.readInbound()) != null; ) {
                replies.add(reply);
            }
            if (to < head.length + value.length + 2) {
                assertEquals(0, replies.size(), "nothing before the bulk is complete");
            }
        }
        try {
            assertEquals(2, replies.size());
            byte[] first = new byte[replies.get(0).readableBytes()];
            replies.get(0).getBytes(replies.get(0).readerIndex(), first);
            assertArrayEquals(Arrays.copyOf(all, head.length + value.length + 2), first);
            assertEquals(":1\r\n", replies.get(1).toString(StandardCharsets.ISO_8859_1));
        } finally {
            for (ByteBuf r : replies) {
                r.release();
            }
        }
        finish(ch);
    }

    @Test
    void bigArrayOfBulksSplitOverWrites() {
        StringBuilder sb = new StringBuilder("*5000\r\n");
        for (int i = 0; i < 5000; i++) {
            String v = "key:" + i;
            sb.append('$').append(v.length()).append("\r\n").append(v).append("\r\n");
        }
        String reply = sb.toString();
        byte[] all = bytes(reply + "+OK\r\n");
        List<byte[]> chunks = new ArrayList<>();
        for (int at = 0; at < all.length; at += 997) {
            chunks.add(Arrays.copyOfRange(all, at, Math.min(all.length, at + 997)));
        }
        EmbeddedChannel ch = channel();
        assertEquals(List.of(reply, "+OK\r\n"), feed(ch, chunks));
        finish(ch);
    }

    /** The input the framer must not swallow: after the exception the channel is closed, whatever remains. */
    private static void closeAfterCorruption(EmbeddedChannel ch) {
        try {
            ch.finishAndReleaseAll();
        } catch (CorruptedFrameException expected) {
            // decodeLast meets the same bad bytes again; the buffers are released all the same
        }
        BufferLedger.assertAllFreed(ch);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "?what\r\n",          // unknown type byte
        "OK\r\n",             // no type byte at all
        "*abc\r\n",
        "*\r\n",
        "*1\n:1\r\n",         // header line without CR
        "$x\r\nhello\r\n",
        "$\r\n\r\n",
        "%1x\r\n",
        "~-\r\n",
        "=abc\r\n",
        "*2\r\n:1\r\n@\r\n",  // bad type inside an aggregate
    })
    void malformedInputRaises(String input) {
        EmbeddedChannel ch = channel();
        assertThrows(CorruptedFrameException.class, () -> ch.writeInbound(inbound(ch, bytes(input), 0, input.length())));
        List<String> out = new ArrayList<>();
        drain(ch, out);
        assertEquals(List.of(), out);
        closeAfterCorruption(ch);
    }

    /**
     * A map's or an attribute's count is doubled to elements: near 2^62 that overflowed to a
     * negative count, and the framer took the header alone for a whole (empty) reply, then framed the
     * rest of the stream out of step. Counts and lengths above the limit are refused instead.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "%4611686018427387904\r\n:1\r\n",   // 2^62 pairs: 2n overflows to Long.MIN_VALUE
        "|4611686018427387904\r\n:1\r\n:2\r\n", // 2^62 attribute pairs: 2n + 1 overflows
        "%9223372036854775807\r\n:1\r\n",
        "*2147483648\r\n:1\r\n",
        "$2147483648\r\n",
    })
    void aCountOrLengthBeyondTheLimitIsRefusedNotWrappedAround(String input) {
        EmbeddedChannel ch = channel();
        assertThrows(CorruptedFrameException.class, () -> ch.writeInbound(inbound(ch, bytes(input), 0, input.length())));
        List<String> out = new ArrayList<>();
        drain(ch, out);
        assertEquals(List.of(), out, "no reply framed out of the bad header");
        closeAfterCorruption(ch);
    }

    @Test
    void theLimitIsTheConfiguredOne() {
        EmbeddedChannel ok = channel(new ReplyFramer(3));
        assertEquals(List.of("*3\r\n:1\r\n:2\r\n:3\r\n", "%1\r\n:1\r\n:2\r\n", "$3\r\nabc\r\n"),
                feed(ok, "*3\r\n:1\r\n:2\r\n:3\r\n%1\r\n:1\r\n:2\r\n$3\r\nabc\r\n"), "control: at the limit");
        finish(ok);
        for (String over : List.of("*4\r\n", "%4\r\n", "$4\r\nabcd\r\n", "~4\r\n")) {
            EmbeddedChannel ch = channel(new ReplyFramer(3));
            assertThrows(CorruptedFrameException.class, () -> ch.writeInbound(inbound(ch, bytes(over), 0, over.length())), over);
            closeAfterCorruption(ch);
        }
    }

    @Test
    void repliesBeforeTheCorruptionAreStillEmitted() {
        EmbeddedChannel ch = channel();
        String input = "+OK\r\n:1\r\n?garbage\r\n";
        assertThrows(CorruptedFrameException.class, () -> ch.writeInbound(inbound(ch, bytes(input), 0, input.length())));
        List<String> out = new ArrayList<>();
        drain(ch, out);
        assertEquals(List.of("+OK\r\n", ":1\r\n"), out);
        closeAfterCorruption(ch);
    }

    @Test
    void corruptionFoundOneByteAtATime() {
        EmbeddedChannel ch = channel();
        byte[] input = bytes("*2\r\n:1\r\n$zz\r\n");
        List<String> out = new ArrayList<>();
        boolean raised = false;
        for (byte b : input) {
            try {
                ch.writeInbound(inbound(ch, new byte[] {b}, 0, 1));
            } catch (CorruptedFrameException e) {
                raised = true;
                break;
            }
            drain(ch, out);
        }
        assertTrue(raised, "a bad bulk length raises once its line is complete");
        assertEquals(List.of(), out);
        closeAfterCorruption(ch);
    }

    /**
     * A large bulk whose first bytes arrive in a buffer that cannot grow (a wrapped array, as tests
     * and some handlers produce): presizing must be a hint, never a failure.
     */
    @Test
    void largeBulkInABufferThatCannotGrow() {
        byte[] value = new byte[600 * 1024];
        byte[] head = bytes("$" + value.length + "\r\n");
        byte[] first = new byte[head.length + 1000];
        System.arraycopy(head, 0, first, 0, head.length);
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.wrappedBuffer(first));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[value.length - 1000]));
        ch.writeInbound(Unpooled.wrappedBuffer(bytes("\r\n")));
        ByteBuf reply = ch.readInbound();
        try {
            assertEquals(head.length + value.length + 2, reply.readableBytes());
        } finally {
            reply.release();
        }
        finish(ch);
    }

    /**
     * RESP3 attributes ({@code |}) annotate the reply that follows them: the attribute and that
     * reply are one answer to one command, so they must come out as one frame, or the FIFO of
     * reply sinks pairs the attribute with one command and the reply with the next.
     * Redis sends attributes for {@code DEBUG PROTOCOL attrib} (HELLO 3).
     */
    @Test
    void attributeAndTheReplyItAnnotatesAreOneFrame() {
        String attributed = "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.1923\r\n*2\r\n:2039123\r\n:9543892\r\n";
        String nested = "*2\r\n|1\r\n+ttl\r\n:3600\r\n$1\r\nv\r\n:5\r\n";
        EmbeddedChannel ch = channel();
        assertEquals(List.of(attributed, nested, "+OK\r\n"), feed(ch, attributed + nested + "+OK\r\n"));
        finish(ch);
    }
}
