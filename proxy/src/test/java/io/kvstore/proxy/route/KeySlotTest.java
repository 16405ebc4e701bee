package io.kvstore.proxy.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.config.SlotHash;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeySlotTest {

    private static final String PREFIX = "{pre}}";
    private static final String SUFFIX = "{suf}{";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The slot KeySlot computes for {@code key} placed between braces-laden padding in the given kind of buffer. */
    private static int slotInBuffer(byte[] key, IntFunction<ByteBuf> allocate) {
        byte[] pre = bytes(PREFIX);
        byte[] suf = bytes(SUFFIX);
        ByteBuf buf = allocate.apply(pre.length + key.length + suf.length);
        try {
            buf.writeBytes(pre).writeBytes(key).writeBytes(suf);
            buf.skipBytes(2); // a reader index that is not zero either
            return KeySlot.of(buf, pre.length, key.length);
        } finally {
            buf.release();
        }
    }

    private static void assertAllBuffersAgree(byte[] key) {
        int expected = SlotHash.slot(key);
        String what = new String(key, StandardCharsets.ISO_8859_1);
        assertEquals(expected, slotInBuffer(key, ByteBufAllocator.DEFAULT::heapBuffer), "pooled heap: " + what);
        assertEquals(expected, slotInBuffer(key, ByteBufAllocator.DEFAULT::directBuffer), "pooled direct: " + what);
        assertEquals(expected, slotInBuffer(key, Unpooled::buffer), "unpooled heap: " + what);
        assertEquals(expected, slotInBuffer(key, Unpooled::directBuffer), "unpooled direct: " + what);
        ByteBuf whole = Unpooled.wrappedBuffer(key);
        try {
            assertEquals(expected, KeySlot.of(whole, 0, key.length), "wrapped at offset 0: " + what);
        } finally {
            whole.release();
        }
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
        "foo|12182",
        "bar|5061",
        "hello|866",
        "''|0",
        "123456789|12739",
        "somekey|11058",
        "foo{hash_tag}|2515",
        "{user1000}.following|3443",
        "{user1000}.followers|3443",
        "user1000|3443",
        "foo{}{bar}|8363",
        "foo{{bar}}zap|4015",
        "foo{bar}{zap}|5061",
        "{|4092",
        "}|12090",
        "}{a}|15495",
        "{a|10276",
        "{}|15257",
        "{a}|15495",
        "a{b}c|3300",
        "{}a{b}|16175",
        "{{}}|4092",
        "}{|12793",
        "{}}|14790",
        "x{}|2608",
    })
    void knownSlotsAndTagEdgeCases(String key, int expected) {
        assertEquals(expected, SlotHash.slot(bytes(key)));
        assertAllBuffersAgree(bytes(key));
    }

    @Test
    void randomKeysAgreeWithSlotHash() {
        Random random = new Random(0x5107L);
        byte[] alphabet = bytes("{}{}ab}{xy");
        for (int n = 0; n < 3_000; n++) {
            byte[] key = new byte[random.nextInt(32)];
            for (int i = 0; i < key.length; i++) {
                key[i] = random.nextBoolean() ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
            }
            assertAllBuffersAgree(key);
        }
    }

    @Test
    void longKeysAgreeWithSlotHash() {
        Random random = new Random(99);
        for (int len : new int[] {255, 256, 1000, 4096, 65_537}) {
            byte[] key = new byte[len];
            random.nextBytes(key);
            assertAllBuffersAgree(key);
            key[len / 2] = '{';
            key[len - 1] = '}';
            assertAllBuffersAgree(key);
        }
    }

    @Test
    void keySpanningTheComponentsOfACompositeBuffer() {
        byte[] key = bytes("ab{user1000}cd");
        CompositeByteBuf composite = ByteBufAllocator.DEFAULT.compositeBuffer();
        try {
            composite.addComponent(true, Unpooled.wrappedBuffer(bytes("xx" + "ab{us")));
            composite.addComponent(true, ByteBufAllocator.DEFAULT.directBuffer().writeBytes(bytes("er1000}cd" + "yy")));
            assertEquals(SlotHash.slot(key), KeySlot.of(composite, 2, key.length));
            assertEquals(3443, KeySlot.of(composite, 2, key.length));
        } finally {
            composite.release();
        }
    }

    @Test
    void bracesOutsideTheKeyAreIgnored() {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes("{x}foo{y}"));
        try {
            assertEquals(12182, KeySlot.of(buf, 3, 3)); // "foo"
            assertEquals(SlotHash.slot(bytes("foo{")), KeySlot.of(buf, 3, 4)); // no closer within the key
            assertEquals(SlotHash.slot(bytes("x}foo")), KeySlot.of(buf, 1, 5)); // no opener before the closer
        } finally {
            buf.release();
        }
    }
}
