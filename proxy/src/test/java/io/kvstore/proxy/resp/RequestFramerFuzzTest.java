package io.kvstore.proxy.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kvstore.proxy.resp.FramerOutput.Err;
import io.kvstore.proxy.resp.FramerOutput.Out;
import io.kvstore.proxy.resp.FramerOutput.Req;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of {@link RequestFramer}: any bytes a client may send,
 * multibulk and inline. For every input:
 *
 * <ul>
 *   <li>no exception: bad bytes are reported as one {@link ProtocolError}, the last thing emitted;</li>
 *   <li>no leak: every buffer is released once the channel closes ({@link FuzzChannel});</li>
 *   <li>the stream cut into reads anywhere ({@link FramerInput#cuts}) frames as it does whole;</li>
 *   <li>each request's frame, framed alone, gives back that request.</li>
 * </ul>
 *
 * <p>Small limits, so that inputs of a few dozen bytes reach every limit check. Without
 * {@code JAZZER_FUZZ} this replays the inputs under
 * {@code src/test/resources/io/kvstore/proxy/resp/RequestFramerFuzzTestInputs/framing/} (seeds,
 * and every crash found); {@code scripts/fuzz.sh} fuzzes.
 */
class RequestFramerFuzzTest {

    static final FramerLimits LIMITS = new FramerLimits(64, 8, 32);

    @FuzzTest(maxDuration = "5m")
    void framing(byte[] stream) {
        List<Out> whole = frame(List.of(stream));
        for (int i = 0; i < whole.size(); i++) {
            assertTrue(!(whole.get(i) instanceof Err) || i == whole.size() - 1, "a protocol error is the last thing emitted: " + whole);
            if (whole.get(i) instanceof Req r) {
                assertEquals(List.of(r), frame(List.of(r.frame().getBytes(StandardCharsets.ISO_8859_1))), "a frame alone");
            }
        }
        for (List<byte[]> reads : FramerInput.cuts(stream)) {
            assertEquals(whole, frame(reads), () -> "cut into " + reads.size() + " reads");
        }
    }

    private static List<Out> frame(List<byte[]> reads) {
        try (FuzzChannel c = new FuzzChannel(new RequestFramer(LIMITS))) {
            return FramerOutput.requests(c.ch, reads);
        }
    }
}
