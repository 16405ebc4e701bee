package io.kvstore.proxy.hotkeys;

import java.util.Arrays;

/**
 * A key's bytes, copied out of a request, with their 64-bit hash; equal by content. Immutable
 * (nobody writes the array once made).
 */
final class Key {

    private final byte[] bytes;
    private final long hash;

    private Key(byte[] bytes) {
        this.bytes = bytes;
        this.hash = hash(bytes);
    }

    static Key of(byte[] bytes) {
        return new Key(bytes);
    }

    byte[] bytes() {
        return bytes;
    }

    long hash64() {
        return hash;
    }

    /** FNV-1a over the bytes, then a 64-bit finaliser (SplitMix64's) so both halves are well mixed for the sketch's rows. */
    static long hash(byte[] b) {
        long h = 0xcbf29ce484222325L;
        for (byte x : b) {
            h = (h ^ (x & 0xff)) * 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Key other && other.hash == hash && Arrays.equals(other.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return (int) hash;
    }
}
