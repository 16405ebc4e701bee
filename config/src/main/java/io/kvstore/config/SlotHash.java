package io.kvstore.config;

/**
 * Redis Cluster key hashing: CRC16-CCITT (XMODEM) of the key, or of its first non-empty
 * {@code {hash tag}}, modulo {@value #SLOTS}. Stateless; any thread.
 *
 * <p>Exactly the rule of Redis Cluster's {@code keyHashSlot}, so a key maps to the same slot
 * here as in {@code CLUSTER KEYSLOT}. The hash-tag search works on the bytes in place: callers
 * holding keys inside a larger buffer pass offset and length and nothing is copied. One
 * difference: a key rewritten by kvstore ({@link RewrittenKey}) is hashed by its logical name.
 */
public final class SlotHash {

    /** Number of hash slots, as in Redis Cluster. */
    public static final int SLOTS = 16384;

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int b = 0; b < 8; b++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            TABLE[i] = crc & 0xFFFF;
        }
    }

    private SlotHash() {
    }

    /** The slot of a whole byte array key. */
    public static int slot(byte[] key) {
        return slot(key, 0, key.length);
    }

    /** The slot of {@code key[off, off+len)}. */
    public static int slot(byte[] key, int off, int len) {
        int logical = RewrittenKey.logicalStart(key, off, len);
        if (logical >= 0) { // a rewritten key has the slot of its logical name
            len -= logical - off;
            off = logical;
        }
        int end = off + len;
        int open = -1;
        for (int i = off; i < end; i++) {
            if (key[i] == '{') {
                open = i;
                break;
            }
        }
        if (open >= 0) {
            for (int i = open + 1; i < end; i++) {
                if (key[i] == '}') {
                    if (i > open + 1) {
                        return crc16(key, open + 1, i - open - 1) & (SLOTS - 1);
                    }
                    break; // "{}" : the whole key is hashed, as Redis does
                }
            }
        }
        return crc16(key, off, len) & (SLOTS - 1);
    }

    /** CRC16 of {@code bytes[off, off+len)}. */
    public static int crc16(byte[] bytes, int off, int len) {
        int crc = 0;
        for (int i = off, end = off + len; i < end; i++) {
            crc = update(crc, bytes[i]);
        }
        return crc;
    }

    /** One step of the CRC; lets callers hash bytes they read from any kind of buffer. */
    public static int update(int crc, byte b) {
        return ((crc << 8) ^ TABLE[((crc >>> 8) ^ b) & 0xFF]) & 0xFFFF;
    }
}
