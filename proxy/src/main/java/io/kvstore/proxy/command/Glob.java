package io.kvstore.proxy.command;

/** Redis glob patterns ({@code * ? [abc] [^a-z] \x}) matched against names the proxy holds. Stateless. */
public final class Glob {

    private Glob() {
    }

    public static boolean matches(String pattern, String text) {
        return match(pattern, 0, text, 0);
    }

    private static boolean match(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            switch (c) {
                case '*' -> {
                    while (pi + 1 < p.length() && p.charAt(pi + 1) == '*') {
                        pi++;
                    }
                    for (int k = si; k <= s.length(); k++) {
                        if (match(p, pi + 1, s, k)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> {
                    if (si >= s.length()) {
                        return false;
                    }
                    si++;
                    pi++;
                }
                case '[' -> {
                    if (si >= s.length()) {
                        return false;
                    }
                    int end = p.indexOf(']', pi + 1);
                    if (end < 0) {
                        return false;
                    }
                    boolean not = pi + 1 < end && p.charAt(pi + 1) == '^';
                    boolean hit = false;
                    char ch = s.charAt(si);
                    for (int k = pi + (not ? 2 : 1); k < end; k++) {
                        if (k + 2 < end && p.charAt(k + 1) == '-') {
                            hit |= ch >= p.charAt(k) && ch <= p.charAt(k + 2);
                            k += 2;
                        } else {
                            hit |= ch == p.charAt(k);
                        }
                    }
                    if (hit == not) {
                        return false;
                    }
                    si++;
                    pi = end + 1;
                }
                default -> {
                    if (c == '\\' && pi + 1 < p.length()) {
                        c = p.charAt(++pi);
                    }
                    if (si >= s.length() || s.charAt(si) != c) {
                        return false;
                    }
                    si++;
                    pi++;
                }
            }
        }
        return si == s.length();
    }
}
