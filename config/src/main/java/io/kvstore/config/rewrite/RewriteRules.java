package io.kvstore.config.rewrite;

import io.kvstore.config.RewrittenKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A cluster's key rewrite rules as one immutable snapshot, and the decisions made from it: which
 * generation a logical key is stored in, and which key found on a server a client may see.
 * Immutable; any thread (the proxy swaps whole snapshots through a volatile field).
 *
 * <p>Invariants: patterns are distinct; generations are unique across rules and never reused,
 * because {@code nextGeneration} only grows, so two rules (or a rule removed and added again)
 * never share a physical name. A key belongs to the <em>first</em> rule, in list order, whose
 * pattern it matches.
 */
public final class RewriteRules {

    /** No rule: every key is stored under its own name. */
    public static final RewriteRules NONE = new RewriteRules(List.of(), 1);

    private final List<RewriteRule> rules;
    private final long nextGeneration;
    private final byte[][] patterns;
    private final long[] generations;

    public RewriteRules(List<RewriteRule> rules, long nextGeneration) {
        this.rules = List.copyOf(rules);
        this.nextGeneration = nextGeneration;
        this.patterns = new byte[this.rules.size()][];
        this.generations = new long[this.rules.size()];
        for (int i = 0; i < patterns.length; i++) {
            RewriteRule r = this.rules.get(i);
            if (r.generation() >= nextGeneration) {
                throw new IllegalArgumentException("rule " + r.pattern() + " has generation " + r.generation()
                        + ", not below the next generation " + nextGeneration);
            }
            patterns[i] = r.pattern().getBytes(StandardCharsets.UTF_8);
            generations[i] = r.generation();
        }
    }

    public List<RewriteRule> rules() {
        return rules;
    }

    public long nextGeneration() {
        return nextGeneration;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** The generation {@code key[off, off+len)} is stored in, or 0 when no rule matches it. */
    public long generationOf(byte[] key, int off, int len) {
        for (int i = 0; i < patterns.length; i++) {
            if (KeyGlob.matches(patterns[i], key, off, len)) {
                return generations[i];
            }
        }
        return 0;
    }

    /** The name a client's key is stored under: its physical name when a rule matches it, else itself. */
    public byte[] physical(byte[] logical) {
        long gen = generationOf(logical, 0, logical.length);
        return gen == 0 ? logical : RewrittenKey.encode(gen, logical);
    }

    /**
     * The name a client sees for a key found on a server, or null when the key is invisible: an
     * older generation, a rule that no longer exists, a key of a rule's pattern stored under its
     * own name (written before the rule was added), or a malformed physical name.
     */
    public byte[] visible(byte[] serverKey) {
        int start = RewrittenKey.logicalStart(serverKey, 0, serverKey.length);
        if (start < 0) {
            boolean plain = !RewrittenKey.reserved(serverKey, 0, serverKey.length);
            return plain && generationOf(serverKey, 0, serverKey.length) == 0 ? serverKey : null;
        }
        long gen = RewrittenKey.generation(serverKey);
        return generationOf(serverKey, start, serverKey.length - start) == gen
                ? java.util.Arrays.copyOfRange(serverKey, start, serverKey.length) : null;
    }

    /** Whether a key found on a server belongs to {@code pattern}'s rule but not to its current generation (reclaimable). */
    public boolean stale(byte[] serverKey, String pattern) {
        byte[] p = pattern.getBytes(StandardCharsets.UTF_8);
        int start = RewrittenKey.logicalStart(serverKey, 0, serverKey.length);
        int off = Math.max(start, 0);
        if (!KeyGlob.matches(p, serverKey, off, serverKey.length - off)) {
            return false;
        }
        return visible(serverKey) == null;
    }

    /** The rule of {@code pattern}, or null. */
    public RewriteRule rule(String pattern) {
        for (RewriteRule r : rules) {
            if (r.pattern().equals(pattern)) {
                return r;
            }
        }
        return null;
    }

    /** With a new rule for {@code pattern} at the next generation; refused when it exists. */
    public RewriteRules withAdded(String pattern, long nowMillis) {
        check(pattern);
        if (rule(pattern) != null) {
            throw new IllegalStateException("a rule for " + pattern + " exists already (rewrite bump makes a new generation)");
        }
        List<RewriteRule> next = new ArrayList<>(rules);
        next.add(new RewriteRule(pattern, nextGeneration, nowMillis, nowMillis));
        return new RewriteRules(next, nextGeneration + 1);
    }

    /** With {@code pattern}'s rule at the next generation: its keys so far become invisible. */
    public RewriteRules withBumped(String pattern, long nowMillis) {
        RewriteRule old = existing(pattern);
        List<RewriteRule> next = new ArrayList<>(rules);
        next.set(rules.indexOf(old), new RewriteRule(pattern, nextGeneration, old.createdMillis(), nowMillis));
        return new RewriteRules(next, nextGeneration + 1);
    }

    /** Without {@code pattern}'s rule: its keys are stored under their own names again (the rewritten ones become invisible). */
    public RewriteRules withRemoved(String pattern) {
        RewriteRule old = existing(pattern);
        List<RewriteRule> next = new ArrayList<>(rules);
        next.remove(old);
        return new RewriteRules(next, nextGeneration);
    }

    private RewriteRule existing(String pattern) {
        RewriteRule r = rule(pattern);
        if (r == null) {
            throw new java.util.NoSuchElementException("no rule for " + pattern);
        }
        return r;
    }

    private static void check(String pattern) {
        byte[] p = pattern.getBytes(StandardCharsets.UTF_8);
        if (p.length == 0 || RewrittenKey.reserved(p, 0, p.length)) {
            throw new IllegalArgumentException("a pattern must be non-empty and must not start with the reserved prefix \\xffkv");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RewriteRules r && r.rules.equals(rules) && r.nextGeneration == nextGeneration;
    }

    @Override
    public int hashCode() {
        return rules.hashCode() * 31 + Long.hashCode(nextGeneration);
    }

    @Override
    public String toString() {
        return "RewriteRules" + rules + " next " + nextGeneration;
    }
}
