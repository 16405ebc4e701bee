package io.kvstore.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RewrittenKeyTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void roundTrip() {
        for (String logical : new String[] {"user:1", "", ":", "a:b:c", "{tag}x", "7:9"}) {
            for (long gen : new long[] {1, 9, 10, 123456789012L}) {
                byte[] physical = RewrittenKey.encode(gen, b(logical));
                assertTrue(RewrittenKey.reserved(physical, 0, physical.length));
                assertEquals(gen, RewrittenKey.generation(physical));
                assertArrayEquals(b(logical), RewrittenKey.logical(physical), logical);
            }
        }
        byte[] binary = {0, (byte) 0xFF, '\r', '\n', ':', 1};
        assertArrayEquals(binary, RewrittenKey.logical(RewrittenKey.encode(42, binary)));
    }

    @Test
    void physicalNameHasTheSlotOfItsLogicalName() {
        for (String logical : new String[] {"user:1", "user:{42}:profile", "{}x", "x{}", "plain", "a}b{c}"}) {
            byte[] physical = RewrittenKey.encode(17, b(logical));
            assertEquals(SlotHash.slot(b(logical)), SlotHash.slot(physical), logical);
        }
        // positive control: hashing the physical bytes without decoding them gives another slot
        byte[] physical = RewrittenKey.encode(17, b("user:1"));
        int raw = SlotHash.crc16(physical, 0, physical.length) & (SlotHash.SLOTS - 1);
        assertNotEquals(SlotHash.slot(b("user:1")), raw);
    }

    @Test
    void hashTagGroupStaysTogether() {
        int a = SlotHash.slot(RewrittenKey.encode(3, b("cart:{u7}:items")));
        int c = SlotHash.slot(RewrittenKey.encode(5, b("cart:{u7}:total")));
        assertEquals(a, c);
        assertEquals(SlotHash.slot(b("u7")), a);
    }

    @Test
    void reservedNamesCannotBeRewrittenAgainSoNoCollision() {
        byte[] physical = RewrittenKey.encode(1, b("x"));
        assertThrows(IllegalArgumentException.class, () -> RewrittenKey.encode(1, physical));
        assertThrows(IllegalArgumentException.class, () -> RewrittenKey.encode(0, b("x")));
        // different generations or logical names never give the same physical name
        assertFalse(java.util.Arrays.equals(RewrittenKey.encode(1, b("11:x")), RewrittenKey.encode(11, b("1:x"))));
        assertFalse(java.util.Arrays.equals(RewrittenKey.encode(1, b("1:x")), RewrittenKey.encode(11, b(":x"))));
    }

    @Test
    void malformedPhysicalNamesAreNotDecoded() {
        byte[][] bad = {{(byte) 0xFF, 'k', 'v'}, {(byte) 0xFF, 'k', 'v', ':', 'x'}, {(byte) 0xFF, 'k', 'v', '1', 'x'},
                {(byte) 0xFF, 'k', 'w', '1', ':'}, b("kv1:x")};
        for (byte[] k : bad) {
            assertEquals(-1, RewrittenKey.logicalStart(k, 0, k.length));
            assertEquals(0, RewrittenKey.generation(k));
            assertEquals(SlotHash.crc16(k, 0, k.length) & (SlotHash.SLOTS - 1), SlotHash.slot(k) , "hashed whole");
        }
    }
}
