package io.kvstore.config;

import java.nio.charset.StandardCharsets;

/**
 * The codec of key rewrite's physical key names: {@code "\xffkv" + generation + ":" + logical}.
 * Stateless; any thread.
 *
 * <p>Invariants: a physical name always starts with the reserved prefix {@code \xff k v}, which
 * the proxy refuses in a client's keys, so a physical name never equals a key a client wrote;
 * the logical name follows the first {@code ':'} after the decimal generation, so decoding needs
 * no escaping and a logical name may hold any byte. {@link SlotHash} hashes the logical part of a
 * physical name, so a rewritten key has the slot of its logical name and {@code {hash tag}}
 * groups stay together: every tool that finds a key on a server (migration, backup, restore,
 * verify, the leftover sweep) gets the slot right without knowing about rewrite.
 */
public final class RewrittenKey {

    /** The first byte of every physical name; no printable key starts with it. */
    public static final byte MARK = (byte) 0xFF;
    private static final byte[] PREFIX = {MARK, 'k', 'v'};
    private static final int MAX_DIGITS = 18;

    private RewrittenKey() {
    }

    /** The physical name of {@code logical} in {@code generation} (at least 1). */
    public static byte[] encode(long generation, byte[] logical) {
        if (generation < 1) {
            throw new IllegalArgumentException("generation must be at least 1: " + generation);
        }
        if (reserved(logical, 0, logical.length)) {
            throw new IllegalArgumentException("a key that starts with the reserved prefix \\xffkv cannot be rewritten");
        }
        byte[] gen = Long.toString(generation).getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[PREFIX.length + gen.length + 1 + logical.length];
        System.arraycopy(PREFIX, 0, out, 0, PREFIX.length);
        System.arraycopy(gen, 0, out, PREFIX.length, gen.length);
        out[PREFIX.length + gen.length] = ':';
        System.arraycopy(logical, 0, out, PREFIX.length + gen.length + 1, logical.length);
        return out;
    }

    /** Whether {@code key[off, off+len)} starts with the reserved prefix (clients may not use such keys). */
    public static boolean reserved(byte[] key, int off, int len) {
        return len >= PREFIX.length && key[off] == MARK && key[off + 1] == 'k' && key[off + 2] == 'v';
    }

    /**
     * Where the logical name starts in {@code key[off, off+len)}, or -1 when it is not a
     * well-formed physical name (then it is hashed and shown as it is).
     */
    public static int logicalStart(byte[] key, int off, int len) {
        if (!reserved(key, off, len)) {
            return -1;
        }
        int end = off + len;
        int i = off + PREFIX.length;
        int digits = 0;
        while (i < end && key[i] >= '0' && key[i] <= '9' && digits <= MAX_DIGITS) {
            i++;
            digits++;
        }
        return digits > 0 && digits <= MAX_DIGITS && i < end && key[i] == ':' ? i + 1 : -1;
    }

    /** The generation of a physical name, or 0 when {@code key} is not one. */
    public static long generation(byte[] key) {
        int start = logicalStart(key, 0, key.length);
        if (start < 0) {
            return 0;
        }
        return Long.parseLong(new String(key, PREFIX.length, start - 1 - PREFIX.length, StandardCharsets.US_ASCII));
    }

    /** The logical name of a physical name, or {@code key} itself when it is not one. */
    public static byte[] logical(byte[] key) {
        int start = logicalStart(key, 0, key.length);
        return start < 0 ? key : java.util.Arrays.copyOfRange(key, start, key.length);
    }
}
