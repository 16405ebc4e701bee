package io.kvstore.config.rewrite;

/**
 * Redis glob patterns ({@code * ? [abc] [^a-z] \x}, as {@code KEYS}) matched against key bytes,
 * with Redis's {@code stringmatchlen} rules. Stateless; any thread.
 */
public final class KeyGlob {

    private KeyGlob() {
    }

    /** Whether {@code s[off, off+len)} matches {@code pattern}. */
    public static boolean matches(byte[] pattern, byte[] s, int off, int len) {
        return match(pattern, 0, s, off, off + len, 0);
    }

    public static boolean matches(byte[] pattern, byte[] s) {
        return matches(pattern, s, 0, s.length);
    }

    private static boolean match(byte[] p, int pi, byte[] s, int si, int end, int depth) {
        if (depth > 256) {
            return false; // as Redis's nesting limit: a pathological pattern matches nothing
        }
        while (pi < p.length) {
            byte c = p[pi];
            if (c == '*') {
                while (pi + 1 < p.length && p[pi + 1] == '*') {
                    pi++;
                }
                if (pi + 1 == p.length) {
                    return true;
                }
                for (int k = si; k <= end; k++) {
                    if (match(p, pi + 1, s, k, end, depth + 1)) {
                        return true;
                    }
                }
                return false;
            }
            if (si >= end) {
                return false;
            }
            if (c == '?') {
                pi++;
                si++;
            } else if (c == '[') {
                int[] next = {pi + 1};
                if (!inClass(p, next, s[si])) {
                    return false;
                }
                pi = next[0];
                si++;
            } else {
                if (c == '\\' && pi + 1 < p.length) {
                    c = p[++pi];
                }
                if (c != s[si]) {
                    return false;
                }
                pi++;
                si++;
            }
        }
        return si == end;
    }

    /** Matches {@code b} against the class starting at {@code at[0]} (after '['); leaves {@code at[0]} after its ']'. */
    private static boolean inClass(byte[] p, int[] at, byte b) {
        int i = at[0];
        boolean not = i < p.length && p[i] == '^';
        if (not) {
            i++;
        }
        boolean hit = false;
        while (i < p.length && p[i] != ']') {
            if (p[i] == '\\' && i + 1 < p.length) {
                i++;
                hit |= p[i] == b;
            } else if (i + 2 < p.length && p[i + 1] == '-' && p[i + 2] != ']') {
                int lo = p[i] & 0xFF;
                int hi = p[i + 2] & 0xFF;
                if (lo > hi) {
                    int t = lo;
                    lo = hi;
                    hi = t;
                }
                int v = b & 0xFF;
                hit |= v >= lo && v <= hi;
                i += 2;
            } else {
                hit |= p[i] == b;
            }
            i++;
        }
        at[0] = i < p.length ? i + 1 : i; // an unclosed class ends the pattern, as in Redis
        return not != hit;
    }
}
