package io.kvstore.admin.snapshot;

import java.nio.charset.StandardCharsets;

/**
 * The {@code --format commands} view of a snapshot: a key as a {@code SET} line when its payload
 * is a string (decoded here: plain, integer-encoded or LZF-compressed), as a comment naming its
 * type otherwise. Collections are not decoded: their RDB encodings (listpack, quicklist,
 * intset, stream listpacks) differ by Redis version, and a half-right decoder would print
 * wrong data; the RESP output loads them exactly. Stateless; any thread.
 */
public final class Readable {

    private Readable() {
    }

    /** One line (or two, with the TTL) for {@code e}. */
    public static String line(SnapshotReader.Entry e) {
        byte[] p = e.payload();
        int type = p.length == 0 ? -1 : p[0] & 0xff;
        String key = quote(e.key());
        if (type != 0) {
            return "# " + SnapshotFormat.typeName(type) + " " + key + ": not printable (RDB type " + type
                    + "; the RESP output restores it)";
        }
        String ttl = e.expireAt() == 0 ? "" : " PXAT " + e.expireAt();
        try {
            return "SET " + key + " " + quote(string(p)) + ttl;
        } catch (RuntimeException bad) {
            return "# string " + key + ": not printable (" + bad.getMessage() + ")";
        }
    }

    /** The value of a string payload: type byte 0, then an RDB string. */
    static byte[] string(byte[] p) {
        int[] at = {1};
        int b = p[1] & 0xff;
        if (b >> 6 != 3) {
            int len = (int) length(p, at);
            return java.util.Arrays.copyOfRange(p, at[0], at[0] + len);
        }
        at[0]++;
        return switch (b & 0x3f) {
            case 0 -> Long.toString(p[2]).getBytes(StandardCharsets.US_ASCII);
            case 1 -> Long.toString((short) ((p[2] & 0xff) | (p[3] & 0xff) << 8)).getBytes(StandardCharsets.US_ASCII);
            case 2 -> Long.toString((p[2] & 0xff) | (p[3] & 0xff) << 8 | (p[4] & 0xff) << 16 | (p[5] & 0xff) << 24)
                    .getBytes(StandardCharsets.US_ASCII);
            case 3 -> {
                int clen = (int) length(p, at);
                int len = (int) length(p, at);
                yield lzf(p, at[0], clen, len);
            }
            default -> throw new IllegalArgumentException("unknown string encoding " + (b & 0x3f));
        };
    }

    /** An RDB length at {@code at[0]}, which it moves past it. */
    private static long length(byte[] p, int[] at) {
        int b = p[at[0]] & 0xff;
        switch (b >> 6) {
            case 0:
                at[0] += 1;
                return b & 0x3f;
            case 1:
                at[0] += 2;
                return (b & 0x3f) << 8 | (p[at[0] - 1] & 0xff);
            default:
                int n = b == 0x80 ? 4 : b == 0x81 ? 8 : -1;
                if (n < 0) {
                    throw new IllegalArgumentException("unknown length encoding " + b);
                }
                long v = 0;
                for (int i = 1; i <= n; i++) {
                    v = v << 8 | (p[at[0] + i] & 0xff);
                }
                at[0] += 1 + n;
                return v;
        }
    }

    /** LZF decompression, as Redis's lzf_d.c: literal runs and back references. */
    static byte[] lzf(byte[] in, int from, int clen, int len) {
        byte[] out = new byte[len];
        int ip = from;
        int op = 0;
        int end = from + clen;
        while (ip < end) {
            int ctrl = in[ip++] & 0xff;
            if (ctrl < 32) {
                System.arraycopy(in, ip, out, op, ctrl + 1);
                ip += ctrl + 1;
                op += ctrl + 1;
            } else {
                int n = ctrl >> 5;
                int ref = op - ((ctrl & 0x1f) << 8) - 1;
                if (n == 7) {
                    n += in[ip++] & 0xff;
                }
                ref -= in[ip++] & 0xff;
                n += 2;
                for (int i = 0; i < n; i++) {
                    out[op++] = out[ref++];
                }
            }
        }
        if (op != len) {
            throw new IllegalArgumentException("LZF data decompresses to " + op + " bytes, not " + len);
        }
        return out;
    }

    /** {@code b} as redis-cli shows it: bare when printable without spaces or quotes, else quoted with escapes. */
    public static String quote(byte[] b) {
        boolean bare = b.length > 0;
        for (byte c : b) {
            if (c <= ' ' || c >= 127 || c == '"' || c == '\'' || c == '\\') {
                bare = false;
                break;
            }
        }
        if (bare) {
            return new String(b, StandardCharsets.US_ASCII);
        }
        StringBuilder sb = new StringBuilder(b.length + 2).append('"');
        for (byte c : b) {
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c >= ' ' && c < 127) {
                        sb.append((char) c);
                    } else {
                        sb.append(String.format("\\x%02x", c & 0xff));
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
