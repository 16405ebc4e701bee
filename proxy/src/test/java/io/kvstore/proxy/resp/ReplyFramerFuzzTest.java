package io.kvstore.proxy.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.handler.codec.CorruptedFrameException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of {@link ReplyFramer}: any bytes a backend may send, RESP2
 * and RESP3 types nested to any depth. For every input:
 *
 * <ul>
 *   <li>no exception but the documented {@link CorruptedFrameException} (the backend connection is
 *       then closed), and the replies before the bad bytes are still emitted;</li>
 *   <li>no leak: every buffer is released once the channel closes ({@link FuzzChannel});</li>
 *   <li>the stream cut into reads anywhere ({@link FramerInput#cuts}) frames as it does whole;</li>
 *   <li>the replies are the stream's first bytes, in order, and each, framed alone, is one reply.</li>
 * </ul>
 *
 * <p>Without {@code JAZZER_FUZZ} this replays the inputs under
 * {@code src/test/resources/io/kvstore/proxy/resp/ReplyFramerFuzzTestInputs/framing/} (seeds, and
 * every crash found); {@code scripts/fuzz.sh} fuzzes.
 */
class ReplyFramerFuzzTest {

    /** The replies emitted, and whether the framer gave up on corrupt bytes. */
    private record Framing(List<String> replies, boolean corrupt) {
    }

    @FuzzTest(maxDuration = "5m")
    void framing(byte[] stream) {
        Framing whole = frame(List.of(stream));
        String all = String.join("", whole.replies());
        assertTrue(new String(stream, StandardCharsets.ISO_8859_1).startsWith(all), "the replies are the stream's first bytes");
        for (String reply : whole.replies()) {
            assertEquals(new Framing(List.of(reply), false), frame(List.of(reply.getBytes(StandardCharsets.ISO_8859_1))),
                    "a reply alone");
        }
        for (List<byte[]> reads : FramerInput.cuts(stream)) {
            assertEquals(whole, frame(reads), () -> "cut into " + reads.size() + " reads");
        }
    }

    private static Framing frame(List<byte[]> reads) {
        List<String> out = new ArrayList<>();
        boolean corrupt = false;
        try (FuzzChannel c = new FuzzChannel(new ReplyFramer())) {
            for (byte[] read : reads) {
                try {
                    out.addAll(FramerOutput.replies(c.ch, List.of(read)));
                } catch (CorruptedFrameException e) {
                    FramerOutput.drainReplies(c.ch, out);
                    corrupt = true;
                    break;
                }
            }
            if (corrupt) {
                closeAfterCorruption(c);
            }
        }
        return new Framing(out, corrupt);
    }

    /** After corruption decodeLast may meet the same bad bytes again; the buffers are released all the same. */
    private static void closeAfterCorruption(FuzzChannel c) {
        try {
            assertFalse(c.ch.finishAndReleaseAll());
        } catch (CorruptedFrameException again) {
            // the connection is closed: nothing more is read
        }
    }
}
