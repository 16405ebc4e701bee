package io.kvstore.config.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.function.Function;

/**
 * Coverage-guided fuzzing (Jazzer) of the store codecs ({@link TopologyCodec}, {@link ProxyCodec}, {@link FailoverCodec}, {@link ClaimCodec}), the JSON kept in ZooKeeper: every input
 * is given to every decoder (topology, proxy registration, health view, failover record, server
 * claim, and {@link TopologyCodec#writeId}). Invariants:
 *
 * <ul>
 *   <li>a decoder returns a value or throws the documented {@link StoreException.Malformed}
 *       (which the store reports with the node's path), nothing else; {@code writeId} never throws;</li>
 *   <li>a value that was read, written again, reads back to a value that writes the same bytes.</li>
 * </ul>
 *
 * <p>Without {@code JAZZER_FUZZ} this replays the inputs under
 * {@code src/test/resources/io/kvstore/config/store/StoreCodecFuzzTestInputs/decoding/};
 * {@code scripts/fuzz.sh codec} fuzzes.
 */
class StoreCodecFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void decoding(byte[] data) {
        roundTrip(data, d -> TopologyCodec.decodeTopology("c", d), t -> TopologyCodec.encodeTopology(t, null));
        roundTrip(data, d -> ProxyCodec.decodeProxy("127.0.0.1:7000", d), ProxyCodec::encodeProxy);
        roundTrip(data, d -> ProxyCodec.decodeHealth("127.0.0.1:7000", d), ProxyCodec::encodeHealth);
        roundTrip(data, d -> FailoverCodec.decodeFailover("f-1", d), FailoverCodec::encodeFailover);
        roundTrip(data, d -> ClaimCodec.decodeClaim("127.0.0.1:7101", d), ClaimCodec::encodeClaim);
        TopologyCodec.writeId(data);
    }

    private static <T> void roundTrip(byte[] data, Function<byte[], T> decode, Function<T, byte[]> encode) {
        T value;
        try {
            value = decode.apply(data);
        } catch (StoreException.Malformed documented) {
            return;
        }
        byte[] written = encode.apply(value);
        assertArrayEquals(written, encode.apply(decode.apply(written)), "written, read and written again");
    }
}
