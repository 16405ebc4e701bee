package io.kvstore.admin.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * state.bin written and read back without a server; damage found; string payloads (DUMP replies
 * captured from Redis 7.0.15) decoded for {@code --format commands}.
 */
class SnapshotFileTest {

    @TempDir
    Path dir;

    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    private static SnapshotReader.Entry entry(String key, String payloadHex, long expireAt) {
        return new SnapshotReader.Entry(key.getBytes(StandardCharsets.UTF_8), hex(payloadHex), expireAt);
    }

    @Test
    void writtenKeysReadBackInOrderWithTheirExpiry() throws Exception {
        Path state = dir.resolve("state.bin");
        try (SnapshotWriter w = new SnapshotWriter(state)) {
            w.key("a".getBytes(StandardCharsets.US_ASCII), hex("000b68656c6c6f20776f726c640a000bfc49b9a6c7a034"), 0);
            w.key(new byte[] {0, (byte) 0xff}, hex("00c0f90a005e26d130d7a242ab"), 1_900_000_000_000L);
            w.finish();
            assertEquals(2, w.keys());
            assertEquals(10, w.maxRdbVersion());
            assertEquals(Files.size(state), w.bytes());
        }
        try (SnapshotReader r = new SnapshotReader(state)) {
            SnapshotReader.Entry a = r.next();
            assertArrayEquals("a".getBytes(StandardCharsets.US_ASCII), a.key());
            assertEquals(0, a.expireAt());
            SnapshotReader.Entry b = r.next();
            assertArrayEquals(new byte[] {0, (byte) 0xff}, b.key());
            assertEquals(1_900_000_000_000L, b.expireAt());
            assertNull(r.next());
        }
        assertEquals(2, SnapshotReader.verify(state, null).keys());
    }

    @Test
    void aFileCutShortIsTruncatedEvenWithoutMeta() throws Exception {
        Path state = dir.resolve("state.bin");
        try (SnapshotWriter w = new SnapshotWriter(state)) {
            for (int i = 0; i < 2000; i++) {
                w.key(("k" + i).getBytes(StandardCharsets.US_ASCII), hex("000b68656c6c6f20776f726c640a000bfc49b9a6c7a034"), 0);
            }
            w.finish();
        }
        byte[] all = Files.readAllBytes(state);
        Files.write(state, Arrays.copyOf(all, all.length - 12)); // the gzip trailer and a little more
        BadSnapshot e = assertThrows(BadSnapshot.class, () -> SnapshotReader.verify(state, null));
        assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void stringsAreDecodedOtherTypesNamed() {
        assertEquals("SET raw \"hello world\"", Readable.line(entry("raw", "000b68656c6c6f20776f726c640a000bfc49b9a6c7a034", 0)));
        assertEquals("SET i8 -7 PXAT 5", Readable.line(entry("i8", "00c0f90a005e26d130d7a242ab", 5)));
        assertEquals("SET i16 1234", Readable.line(entry("i16", "00c1d2040a00008708a144825ced", 0)));
        assertEquals("SET i32 123456789", Readable.line(entry("i32", "00c215cd5b070a00a4b7c909e0e9379e", 0)));
        assertEquals("SET lzf " + "0123456789abcdef".repeat(10),
                Readable.line(entry("lzf", "00c31840a0103031323334353637383961626364656630e0840f0165660a007cacbc8806de5d94", 0)));
        assertEquals("# hash h: not printable (RDB type 16; the RESP output restores it)",
                Readable.line(entry("h", "100c0c00000002008161020101ff0a0084a693e8aa17e4db", 0)));
    }

    @Test
    void rdbVersionsByRedisVersion() {
        assertEquals(10, SnapshotFormat.rdbVersion(hex("00c0f90a005e26d130d7a242ab")));
        assertEquals(10, SnapshotFormat.rdbVersionOf("7.0.15"));
        assertEquals(11, SnapshotFormat.rdbVersionOf("7.2.4"));
        assertEquals(12, SnapshotFormat.rdbVersionOf("7.4.0"));
        assertEquals(9, SnapshotFormat.rdbVersionOf("6.2.14"));
    }
}
