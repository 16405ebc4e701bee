package io.kvstore.proxy.keyspace;

import io.kvstore.config.rewrite.KeyGlob;
import io.kvstore.config.rewrite.RewriteRules;

/**
 * How a walk over the keyspace (KEYS with PIVOT/LIMIT, PDEL) sees the names it finds on the
 * servers: as they are while the cluster has no key rewrite rule, and by their logical names
 * while it has some. With rules, the servers cannot match the client's pattern (a key may be
 * stored as {@code \xffkv<generation>:<key>}), so they are asked for a wider pattern and the
 * client's one is matched here against the logical names; keys of older generations are left out.
 * Immutable (one rules snapshot for the whole walk); any thread.
 *
 * <p>Invariant: {@link #shown} never returns a physical name, so no walk shows one to a client or
 * acts on a key the client cannot see.
 */
public final class KeyNames {

    /** No rules: names are shown and stored as they are. */
    public static final KeyNames PLAIN = new KeyNames(null);

    private final RewriteRules rules;

    private KeyNames(RewriteRules rules) {
        this.rules = rules;
    }

    /** The view of {@code rules} (null or empty: {@link #PLAIN}). */
    public static KeyNames of(RewriteRules rules) {
        return rules == null || rules.isEmpty() ? PLAIN : new KeyNames(rules);
    }

    /**
     * The pattern to ask the servers for: the client's, or with rules {@code "*" + pattern}, which
     * matches both {@code key} and {@code \xffkv<generation>:key} for every key the pattern matches
     * (the leading {@code *} may match nothing), so SCAN still skips most keys that cannot match.
     */
    byte[] serverPattern(byte[] pattern) {
        if (rules == null || pattern.length > 0 && pattern[0] == '*') {
            return pattern;
        }
        byte[] wider = new byte[pattern.length + 1];
        wider[0] = '*';
        System.arraycopy(pattern, 0, wider, 1, pattern.length);
        return wider;
    }

    /** The name a client sees for {@code serverKey} when it is visible and matches {@code pattern}, else null. */
    byte[] shown(byte[] serverKey, byte[] pattern) {
        if (rules == null) {
            return serverKey; // the server matched the pattern itself
        }
        byte[] name = rules.visible(serverKey);
        return name != null && KeyGlob.matches(pattern, name) ? name : null;
    }

    /** The name a visible key {@code shown} returned is stored under on the servers (the same snapshot decides both). */
    byte[] stored(byte[] name) {
        return rules == null ? name : rules.physical(name);
    }
}
