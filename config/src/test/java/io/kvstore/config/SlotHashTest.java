package io.kvstore.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SlotHashTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static int slot(String key) {
        return SlotHash.slot(bytes(key));
    }

    /** CRC16-CCITT (XMODEM) bit by bit: polynomial 0x1021, initial value 0, no reflection, no final XOR. */
    static int naiveCrc16(byte[] data, int off, int len) {
        int crc = 0;
        for (int i = off; i < off + len; i++) {
            crc ^= (data[i] & 0xFF) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
            }
        }
        return crc;
    }

    /**
     * The Redis Cluster spec's HASH_SLOT written the plain way: the first '{', then the first '}'
     * after it; when the tag between them is non-empty only the tag is hashed.
     */
    static int naiveSlot(byte[] key) {
        int open = -1;
        for (int i = 0; i < key.length; i++) {
            if (key[i] == '{') {
                open = i;
                break;
            }
        }
        if (open >= 0) {
            for (int close = open + 1; close < key.length; close++) {
                if (key[close] == '}') {
                    if (close > open + 1) {
                        return naiveCrc16(key, open + 1, close - open - 1) % 16384;
                    }
                    break;
                }
            }
        }
        return naiveCrc16(key, 0, key.length) % 16384;
    }

    @Test
    void crc16CheckValueOfXmodem() {
        byte[] check = bytes("123456789");
        assertEquals(0x31C3, SlotHash.crc16(check, 0, check.length));
        assertEquals(0x31C3, naiveCrc16(check, 0, check.length));
    }

    @Test
    void crc16OfNothingIsZero() {
        assertEquals(0, SlotHash.crc16(new byte[0], 0, 0));
    }

    @Test
    void crc16AtAnOffset() {
        byte[] padded = bytes("xx123456789yy");
        assertEquals(0x31C3, SlotHash.crc16(padded, 2, 9));
    }

    @Test
    void updateStepByStepEqualsCrc16() {
        byte[] check = bytes("123456789");
        int crc = 0;
        for (byte b : check) {
            crc = SlotHash.update(crc, b);
        }
        assertEquals(0x31C3, crc);
    }

    /** Every expected value below was read from a redis-server 7.0 in cluster mode: CLUSTER KEYSLOT key. */
    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
        "foo|12182",
        "bar|5061",
        "hello|866",
        "''|0",
        "123456789|12739",
        "somekey|11058",
        "foo{hash_tag}|2515",
        "bar{hash_tag}|2515",
        "a|15495",
        "b|3300",
        "c|7365",
        "key|12539",
        "user1000|3443",
        "{user1000}.following|3443",
        "{user1000}.followers|3443",
        "Hello World|6442",
    })
    void slotsAsRedisClusterComputesThem(String key, int expected) {
        assertEquals(expected, slot(key));
        assertEquals(expected, naiveSlot(bytes(key)));
    }

    @Test
    void hashTagsPinRelatedKeysToOneSlot() {
        assertEquals(slot("user1000"), slot("{user1000}.following"));
        assertEquals(slot("user1000"), slot("{user1000}.followers"));
        assertEquals(slot("hash_tag"), slot("foo{hash_tag}"));
    }

    /**
     * Tag edge cases, each worked out from the rule (first '{', first '}' after it, non-empty tag)
     * and checked against CLUSTER KEYSLOT on a redis-server 7.0.
     */
    @ParameterizedTest(name = "\"{0}\" hashes \"{1}\" -> {2}")
    @CsvSource(delimiter = '|', value = {
        "foo{}{bar}|foo{}{bar}|8363",     // empty first tag: the whole key
        "foo{{bar}}zap|{bar|4015",        // tag starts after the first '{' and stops at the first '}'
        "foo{bar}{zap}|bar|5061",         // only the first tag counts
        "{|{|4092",                       // no '}' at all
        "}|}|12090",                      // no '{' at all
        "}{a}|a|15495",                   // a '}' before the '{' is not a closer
        "{a|{a|10276",                    // unclosed
        "{}|{}|15257",                    // empty tag
        "{a}|a|15495",
        "a{b}c|b|3300",
        "{}a{b}|{}a{b}|16175",            // the first '{' opens an empty tag; a later tag is not looked for
        "{{}}|{|4092",
        "}{|}{|12793",
        "{}}|{}}|14790",
        "x{}|x{}|2608",
    })
    void hashTagEdgeCases(String key, String hashed, int expected) {
        assertEquals(expected, slot(key), key);
        assertEquals(slot(hashed), slot(key), key);
        assertEquals(naiveCrc16(bytes(hashed), 0, hashed.length()) % 16384, slot(key), key);
        assertEquals(expected, naiveSlot(bytes(key)), key);
    }

    @Test
    void bytesAbove127AreUnsigned() {
        // CLUSTER KEYSLOT of these binary keys on redis-server 7.0.
        assertEquals(7915, SlotHash.slot(new byte[] {(byte) 0xFF, 0x00, (byte) 0x80}));
        assertEquals(3793, SlotHash.slot(new byte[] {(byte) 0xFE}));
        assertEquals(3793, SlotHash.slot(new byte[] {(byte) 0xFF, 0x00, (byte) 0x80, '{', (byte) 0xFE, '}'}));
    }

    @Test
    void slotAtAnOffsetIgnoresBytesOutsideTheRange() {
        // Braces outside [off, off+len) must not be taken for a tag.
        byte[] buf = bytes("{x}foo{y");
        assertEquals(slot("foo"), SlotHash.slot(buf, 3, 3));
        byte[] tagged = bytes("}}{user1000}.following{{");
        assertEquals(slot("user1000"), SlotHash.slot(tagged, 2, tagged.length - 4));
        byte[] closerOutside = bytes("a{bc}");
        assertEquals(slot("{bc"), SlotHash.slot(closerOutside, 1, 3));
    }

    @Test
    void randomKeysMatchTheNaiveImplementation() {
        Random random = new Random(20240601L);
        byte[] alphabet = bytes("ab{}xyz{}0");
        for (int n = 0; n < 20_000; n++) {
            byte[] key = new byte[random.nextInt(24)];
            for (int i = 0; i < key.length; i++) {
                key[i] = random.nextInt(3) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
            }
            int expected = naiveSlot(key);
            assertEquals(expected, SlotHash.slot(key));
            byte[] padded = new byte[key.length + 6];
            padded[0] = '{';
            padded[1] = 'z';
            padded[2] = '}';
            System.arraycopy(key, 0, padded, 3, key.length);
            padded[padded.length - 3] = '{';
            padded[padded.length - 2] = 'q';
            padded[padded.length - 1] = '}';
            assertEquals(expected, SlotHash.slot(padded, 3, key.length));
        }
    }

    @Test
    void slotsAreInRange() {
        Random random = new Random(7);
        for (int n = 0; n < 10_000; n++) {
            byte[] key = new byte[1 + random.nextInt(40)];
            random.nextBytes(key);
            int s = SlotHash.slot(key);
            assertEquals(s, s & (SlotHash.SLOTS - 1));
        }
        assertEquals(16384, SlotHash.SLOTS);
    }
}
