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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.resp.FramerOutput.Err;
import io.kvstore.proxy.resp.FramerOutput.Out;
import io.kvstore.proxy.resp.FramerOutput.Req;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link RequestFramer} through an {@link EmbeddedChannel}: every request is checked for its
 * arguments and its frame bytes and released once; each test ends with nothing buffered, nothing
 * left in the channel and every buffer the channel's allocator handed out freed
 * ({@link BufferLedger}: the same checks under the pooled and the adaptive allocator).
 */
class RequestFramerTest {

    private static final String PING = "*1\r\n$4\r\nPING\r\n";

    // ---- helpers ----------------------------------------------------------------------------

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static EmbeddedChannel channel() {
        return channel(FramerLimits.DEFAULTS);
    }

    private static EmbeddedChannel channel(FramerLimits limits) {
        return BufferLedger.channel(new RequestFramer(limits));
    }

    /** The multibulk encoding of the arguments, as a client (and the framer, for inline commands) writes it. */
    private static String mbulk(String... args) {
        StringBuilder sb = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString();
    }

    /** The request a multibulk frame yields: its arguments, and a frame that is the very same bytes. */
    private static Req req(String... args) {
        return new Req(List.of(args), mbulk(args));
    }

    private static Err err(String message) {
        return new Err(message);
    }

    private static List<Out> feed(EmbeddedChannel ch, List<byte[]> chunks) {
        return FramerOutput.requests(ch, chunks);
    }

    private static List<Out> feed(EmbeddedChannel ch, String... chunks) {
        return feed(ch, reads(chunks));
    }

    /** Nothing is waiting in the decoder's cumulation buffer. */
    private static void assertNothingBuffered(EmbeddedChannel ch) {
        RequestFramer framer = ch.pipeline().get(RequestFramer.class);
        try {
            Field f = ByteToMessageDecoder.class.getDeclaredField("cumulation");
            f.setAccessible(true);
            ByteBuf cumulation = (ByteBuf) f.get(framer);
            assertTrue(cumulation == null || !cumulation.isReadable(),
                    () -> "left over: " + cumulation.toString(StandardCharsets.ISO_8859_1));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The framer is at a frame boundary with nothing buffered: a PING comes out whole, alone, and
     * once it is released no buffer is held (the decoder lets go of a read buffer it has emptied).
     */
    private static void assertCleanBoundary(EmbeddedChannel ch) {
        assertNothingBuffered(ch);
        assertEquals(List.of(req("PING")), feed(ch, PING));
        assertNothingBuffered(ch);
        BufferLedger.assertAllFreed(ch);
    }

    private static void finish(EmbeddedChannel ch) {
        assertFalse(ch.finishAndReleaseAll(), "nothing left unread in the channel");
        BufferLedger.assertAllFreed(ch);
    }

    // ---- well-formed input --------------------------------------------------------------------

    @Test
    void singleCommand() {
        EmbeddedChannel ch = channel();
        String input = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";
        assertEquals(List.of(new Req(List.of("SET", "key", "value"), input)), feed(ch, input));
        assertCleanBoundary(ch);
        finish(ch);
    }

    @Test
    void requestAccessors() {
        EmbeddedChannel ch = channel();
        byte[] input = bytes("*4\r\n$3\r\nsEt\r\n$1\r\nk\r\n$2\r\n-7\r\n$0\r\n\r\n");
        ch.writeInbound(inbound(ch, input, 0, input.length));
        Request r = ch.readInbound();
        try {
            assertEquals(4, r.argCount());
            assertTrue(r.argIs(0, "SET"));
            assertFalse(r.argIs(0, "SE"));
            assertFalse(r.argIs(1, "SET"));
            assertEquals("k", r.argString(1));
            assertEquals(-7, r.argLong(2));
            assertEquals(Long.MIN_VALUE, r.argLong(1), "not a number");
            assertEquals(0, r.argLength(3));
            assertEquals("", r.argString(3));
            assertEquals("Request{sEt, argc=4}", r.toString());
            assertEquals(0, r.frame().readerIndex());
            // A request's reference count is its frame's: whatever the allocator makes of that
            // (a slice's own count, or the read buffer's shared one), retain adds one and release takes it.
            int held = r.refCnt();
            r.retain();
            assertEquals(held + 1, r.refCnt());
            r.release();
            assertEquals(held, r.refCnt());
        } finally {
            r.release();
        }
        assertNull(ch.readInbound());
        finish(ch);
    }

    @Test
    void pipelinedCommandsInOneBuffer() {
        List<Req> expected = new ArrayList<>();
        StringBuilder input = new StringBuilder();
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] value = new byte[random.nextInt(40)];
            random.nextBytes(value);
            Req r = req("SET", "key:" + i, text(value));
            expected.add(r);
            input.append(r.frame());
        }
        EmbeddedChannel ch = channel();
        assertEquals(expected, feed(ch, input.toString()));
        assertCleanBoundary(ch);
        finish(ch);
    }

    /** Multibulk and inline commands, empty lines, *0 and *-1, CRLF inside a bulk, LF-only lines. */
    private static final String MIXED = ""
            + "*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n"
            + "\r\n"
            + "*0\r\n"
            + "PING\r\n"
            + "*-1\r\n"
            + "set k \"a b\"\r\n"
            + "*3\r\n$3\r\nSET\r\n$4\r\nk\r\nv\r\n$0\r\n\r\n"
            + "\n"
            + "echo 'x y'\n"
            + "   \r\n"
            + PING;

    private static final List<Out> MIXED_OUT = List.of(
            req("GET", "foo"),
            req("PING"),
            req("set", "k", "a b"),
            req("SET", "k\r\nv", ""),
            req("echo", "x y"),
            req("PING"));

    @Test
    void mixedPipelineInOneBuffer() {
        EmbeddedChannel ch = channel();
        assertEquals(MIXED_OUT, feed(ch, MIXED));
        assertCleanBoundary(ch);
        finish(ch);
    }

    @Test
    void mixedPipelineOneByteAtATime() {
        EmbeddedChannel ch = channel();
        assertEquals(MIXED_OUT, feed(ch, oneByteAtATime(bytes(MIXED))));
        assertCleanBoundary(ch);
        finish(ch);
    }

    @Test
    void mixedPipelineSplitAtEveryPosition() {
        byte[] all = bytes(MIXED);
        for (int cut = 0; cut <= all.length; cut++) {
            EmbeddedChannel ch = channel();
            assertEquals(MIXED_OUT, feed(ch, split(all, cut)), "split at " + cut);
            assertCleanBoundary(ch);
            finish(ch);
        }
    }

    @Test
    void mixedPipelineSplitAtEveryPairOfPositions() {
        byte[] all = bytes(MIXED);
        // Every pair would be ~10k channels; at paranoid leak detection a stride keeps it quick.
        for (int a = 0; a <= all.length; a += 7) {
            for (int b = a + 1; b <= all.length; b += 5) {
                EmbeddedChannel ch = channel();
                assertEquals(MIXED_OUT, feed(ch, split(all, a, b)), "split at " + a + " and " + b);
                assertNothingBuffered(ch);
                finish(ch);
            }
        }
    }

    @Test
    void mixedPipelineInRandomChunks() {
        byte[] all = bytes(MIXED + MIXED + MIXED);
        List<Out> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            expected.addAll(MIXED_OUT);
        }
        Random random = new Random(7);
        for (int round = 0; round < 30; round++) {
            List<byte[]> chunks = new ArrayList<>();
            for (int at = 0; at < all.length; ) {
                int n = Math.min(all.length - at, 1 + random.nextInt(12));
                chunks.add(Arrays.copyOfRange(all, at, at + n));
                at += n;
            }
            EmbeddedChannel ch = channel();
            assertEquals(expected, feed(ch, chunks), "round " + round);
            assertCleanBoundary(ch);
            finish(ch);
        }
    }

    @Test
    void emptyLinesAndEmptyOrNegativeCountsAreIgnored() {
        EmbeddedChannel ch = channel();
        assertEquals(List.of(), feed(ch, "\r\n", "\n", "*0\r\n", "*-1\r\n", "*-5\r\n", " \t \r\n", "\r\n\r\n*0\r\n"));
        assertCleanBoundary(ch);
        finish(ch);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // line (without CRLF) | expected arguments, joined by '|' is not possible here, so by ','
        "SET key value|SET,key,value",
        "`  lots   of\tspaces  `|lots,of,spaces",
        "get \\xff|get,\\xff",                       // no escapes outside quotes
        "a\"b c\"|ab c",                             // a quote inside a word opens quoting
        "'single' \"double\"|single,double",
    })
    void inlineWords(String line, String expectedArgs) {
        EmbeddedChannel ch = channel();
        List<Out> out = feed(ch, line + "\r\n");
        assertEquals(List.of(req(expectedArgs.split(","))), out);
        assertCleanBoundary(ch);
        finish(ch);
    }

    @Test
    void inlineDoubleQuotesTakeCEscapes() {
        EmbeddedChannel ch = channel();
        String line = "set \"hello world\" \"\\x41\\x42\\n\\r\\t\\b\\a\\\"q\\\"\\\\\\xff\\xzz\"\r\n";
        assertEquals(List.of(req("set", "hello world", "AB\n\r\t\b\u0007\"q\"\\\u00ffxzz")), feed(ch, line));
        assertCleanBoundary(ch);
        finish(ch);
    }

    @Test
    void inlineSingleQuotesTakeOnlyEscapedQuote() {
        EmbeddedChannel ch = channel();
        String line = "set 'it\\'s' 'no \\n escape' '\"'\r\n";
        assertEquals(List.of(req("set", "it's", "no \\n escape", "\"")), feed(ch, line));
        assertCleanBoundary(ch);
        finish(ch);
    }

    @Test
    void inlineEmptyQuotedArguments() {
        EmbeddedChannel ch = channel();
        assertEquals(List.of(req("set", "", "")), feed(ch, "set \"\" ''\r\n"));
        finish(ch);
    }

    @Test
    void inlineWithoutCarriageReturn() {
        EmbeddedChannel ch = channel();
        assertEquals(List.of(req("GET", "a"), req("GET", "b")), feed(ch, "GET a\nGET b\r\n"));
        finish(ch);
    }

    @Test
    void inlineBinaryBytesSurvive() {
        EmbeddedChannel ch = channel();
        String line = "set k \u00e9\u00ff\u0001\r\n";
        assertEquals(List.of(req("set", "k", "\u00e9\u00ff\u0001")), feed(ch, line));
        finish(ch);
    }

    @Test
    void inlineMixedWithMultibulkInOnePipeline() {
        EmbeddedChannel ch = channel();
        String input = "PING\r\n" + mbulk("SET", "a", "1") + "GET a\r\n" + mbulk("GET", "a") + "quit\r\n";
        assertEquals(List.of(req("PING"), req("SET", "a", "1"), req("GET", "a"), req("GET", "a"), req("quit")),
                feed(ch, input));
        assertCleanBoundary(ch);
        finish(ch);
    }

    @Test
    void largeBulkSplitOverManyWrites() {
        byte[] value = new byte[1024 * 1024];
        new Random(1).nextBytes(value);
        byte[] head = bytes("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + value.length + "\r\n");
        byte[] tail = bytes("\r\n" + PING);
        byte[] all = concat(head, value, tail);

        EmbeddedChannel ch = channel();
        List<Request> requests = new ArrayList<>();
        int chunk = 7919;
        for (int at = 0; at < all.length; at += chunk) {
            int to = Math.min(all.length, at + chunk);
            ch.writeInbound(inbound(ch, all, at, to));
            for (Object msg; (msg = ch.readInbound()) != null; ) {
                requests.add((Request) msg);
            }
            if (to < head.length + value.length + 2) {
                assertEquals(List.of(), requests, "nothing before the bulk is complete");
            }
        }
        try {
            assertEquals(2, requests.size());
            Request big = requests.get(0);
            assertEquals(3, big.argCount());
            assertEquals("big", big.argString(1));
            assertEquals(value.length, big.argLength(2));
            assertArrayEquals(value, big.argBytes(2));
            byte[] frame = new byte[big.frame().readableBytes()];
            big.frame().getBytes(big.frame().readerIndex(), frame);
            assertArrayEquals(Arrays.copyOf(all, head.length + value.length + 2), frame, "the frame is the input bytes");
            assertEquals("PING", requests.get(1).argString(0));
        } finally {
            for (Request r : requests) {
                r.release();
            }
        }
        assertCleanBoundary(ch);
        finish(ch);
    }

    /**
     * A large bulk whose first bytes arrive in a buffer that cannot grow (a wrapped array, as tests
     * and some handlers produce; ByteToMessageDecoder keeps the first read buffer as its
     * cumulation): presizing must be a hint, never a failure.
     */
    @Test
    void largeBulkInABufferThatCannotGrow() {
        byte[] head = bytes("*2\r\n$3\r\nSET\r\n$" + (600 * 1024) + "\r\n");
        byte[] first = Arrays.copyOf(head, head.length + 1000);
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.wrappedBuffer(first));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[600 * 1024 - 1000]));
        ch.writeInbound(Unpooled.wrappedBuffer(bytes("\r\n")));
        Request r = ch.readInbound();
        try {
            assertEquals(600 * 1024, r.argLength(1));
        } finally {
            r.release();
        }
        finish(ch);
    }

    @Test
    void partialFrameAtCloseIsDroppedAndReleased() {
        EmbeddedChannel ch = channel();
        assertEquals(List.of(), feed(ch, "*2\r\n$3\r\nGET\r\n$3\r\nfo"));
        finish(ch);
    }

    // ---- malformed input ----------------------------------------------------------------------

    /** Exactly one error, and nothing at all for whatever the client sends afterwards. */
    private static void assertOneError(FramerLimits limits, String input, String message) {
        EmbeddedChannel ch = channel(limits);
        assertEquals(List.of(err(message)), feed(ch, input), input);
        assertEquals(List.of(), feed(ch, PING, "PING\r\n", "*abc\r\n"), "nothing after the error");
        assertNothingBuffered(ch);
        finish(ch);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "*abc\\r\\n|invalid multibulk length",
        "*\\r\\n|invalid multibulk length",
        "*1x\\r\\n|invalid multibulk length",
        "* 1\\r\\n|invalid multibulk length",
        "*1\\n|invalid multibulk length",
        "*1048577\\r\\n|invalid multibulk length",
        "*99999999999999999999999\\r\\n|invalid multibulk length",
        "*1\\r\\n$-1\\r\\n|invalid bulk length",
        "*1\\r\\n$abc\\r\\n|invalid bulk length",
        "*1\\r\\n$\\r\\n|invalid bulk length",
        "*1\\r\\n$536870913\\r\\n|invalid bulk length",
        "*1\\r\\n$3\\n|invalid bulk length",
        "*1\\r\\nx3\\r\\nfoo\\r\\n|expected '$', got 'x'",
        "*2\\r\\n$3\\r\\nGET\\r\\n:1\\r\\n|expected '$', got ':'",
        "*2\\r\\n$3\\r\\nGET\\r\\n*1\\r\\n|expected '$', got '*'",
        "*1\\r\\n$3\\r\\nfooXY|expected CRLF after bulk argument",
        "*1\\r\\n$3\\r\\nfoo\\rX|expected CRLF after bulk argument",
        "*1\\r\\n$3\\r\\nfoo\\n\\r|expected CRLF after bulk argument",
        "set \"abc\\r\\n|unbalanced quotes in request",
        "set 'abc\\r\\n|unbalanced quotes in request",
        "set \"a\"b\\r\\n|unbalanced quotes in request",
        "set 'a'b\\r\\n|unbalanced quotes in request",
        "set \"abc\\\"\\r\\n|unbalanced quotes in request",  // the closing quote is escaped
    })
    void malformed(String escaped, String message) {
        String input = escaped.replace("\\r", "\r").replace("\\n", "\n");
        assertOneError(FramerLimits.DEFAULTS, input, message);
        // The same bytes one at a time, and after a good command: still exactly one error, in order.
        EmbeddedChannel ch = channel();
        assertEquals(List.of(err(message)), feed(ch, oneByteAtATime(bytes(input))), "byte by byte: " + escaped);
        finish(ch);
        ch = channel();
        assertEquals(List.of(req("GET", "a"), err(message)), feed(ch, "GET a\r\n" + input + PING));
        finish(ch);
    }

    @Test
    void tooBigInlineRequest() {
        String longLine = "x".repeat(FramerLimits.DEFAULTS.maxInlineLength() + 1);
        assertOneError(FramerLimits.DEFAULTS, longLine, "too big inline request");
        assertOneError(FramerLimits.DEFAULTS, longLine + "\r\n", "too big inline request");
        EmbeddedChannel ch = channel();
        String fits = "SET k " + "v".repeat(1000);
        assertEquals(List.of(req("SET", "k", "v".repeat(1000))), feed(ch, fits + "\r\n"));
        finish(ch);
    }

    @Test
    void tooBigCountStrings() {
        String digits = "1".repeat(FramerLimits.DEFAULTS.maxInlineLength() + 10);
        assertOneError(FramerLimits.DEFAULTS, "*" + digits, "too big mbulk count string");
        assertOneError(FramerLimits.DEFAULTS, "*1\r\n$" + digits, "too big bulk count string");
    }

    @Test
    void partialBadCountsWaitForTheirLine() {
        EmbeddedChannel ch = channel();
        assertEquals(List.of(), feed(ch, "*ab", "c"));
        assertEquals(List.of(err("invalid multibulk length")), feed(ch, "\r\n"));
        finish(ch);
    }

    // ---- custom limits ------------------------------------------------------------------------

    private static final FramerLimits SMALL = new FramerLimits(8, 2, 16);

    @Test
    void customBulkLimit() {
        EmbeddedChannel ch = channel(SMALL);
        assertEquals(List.of(req("x", "12345678")), feed(ch, mbulk("x", "12345678")));
        finish(ch);
        assertOneError(SMALL, "*1\r\n$9\r\n", "invalid bulk length");
        assertOneError(SMALL, mbulk("x", "123456789"), "invalid bulk length");
    }

    @Test
    void customMultibulkLimit() {
        EmbeddedChannel ch = channel(SMALL);
        assertEquals(List.of(req("a", "b")), feed(ch, mbulk("a", "b")));
        finish(ch);
        assertOneError(SMALL, "*3\r\n", "invalid multibulk length");
        assertOneError(SMALL, mbulk("a", "b", "c"), "invalid multibulk length");
    }

    @Test
    void customInlineLimit() {
        EmbeddedChannel ch = channel(SMALL);
        assertEquals(List.of(req("GET", "abcdefgh")), feed(ch, "GET abcdefgh\r\n"));
        finish(ch);
        assertOneError(SMALL, "GET abcdefghijklmnopq\r\n", "too big inline request");
        assertOneError(SMALL, "GET abcdefghijklmnopq", "too big inline request");
        assertOneError(SMALL, "*00000000000000000001\r\n", "too big mbulk count string");
        assertOneError(SMALL, "*1\r\n$00000000000000000001\r\n", "too big bulk count string");
    }

    @Test
    void customLimitsHoldWhateverTheSplit() {
        String[] inputs = {"GET abcdefghijklmnopq\r\n", "*00000000000000000001\r\n", "*1\r\n$00000000000000000001\r\nx\r\n",
            mbulk("a", "b", "c"), mbulk("x", "123456789")};
        for (String input : inputs) {
            byte[] all = bytes(input);
            for (int cut = 0; cut <= all.length; cut++) {
                EmbeddedChannel ch = channel(SMALL);
                List<Out> out = feed(ch, split(all, cut));
                assertEquals(1, out.size(), input + " split at " + cut + ": " + out);
                assertTrue(out.get(0) instanceof Err, input + " split at " + cut + ": " + out);
                finish(ch);
            }
        }
    }

    @Test
    void limitsValidation() {
        assertThrows(IllegalArgumentException.class, () -> new FramerLimits(0, 1, 16));
        assertThrows(IllegalArgumentException.class, () -> new FramerLimits(Integer.MAX_VALUE, 1, 16));
        assertThrows(IllegalArgumentException.class, () -> new FramerLimits(1, 0, 16));
        assertThrows(IllegalArgumentException.class, () -> new FramerLimits(1, 1, 15));
    }
}
