package io.kvstore.proxy.rewrite;

import io.kvstore.config.rewrite.RewriteRule;
import io.kvstore.config.rewrite.RewriteRules;
import java.util.ArrayList;
import java.util.List;

/**
 * Key rewrite rules given on the command line of a static-mode proxy ({@code --rewrite-rule
 * PATTERN[=GEN]}): there is no ZooKeeper to hold them, so a "bump" is a restart of every proxy with
 * a higher GEN (the proxies must then agree; the ZooKeeper mode's barrier does that for you).
 * Stateless.
 */
public final class StaticRules {

    private StaticRules() {
    }

    /** Refuses (IllegalArgumentException) rules given in ZooKeeper mode, or rules that do not parse. */
    public static void check(boolean zkMode, List<String> specs) {
        if (zkMode && specs != null && !specs.isEmpty()) {
            throw new IllegalArgumentException("--rewrite-rule is for static mode; with --zk use kvstore-admin rewrite");
        }
        parse(specs);
    }

    /**
     * The rules of {@code specs}, in order; {@code IllegalArgumentException} for a bad one. GEN
     * (default: the rule's position, from 1) must be distinct across rules.
     */
    public static RewriteRules parse(List<String> specs) {
        if (specs == null || specs.isEmpty()) {
            return RewriteRules.NONE;
        }
        List<RewriteRule> rules = new ArrayList<>();
        long max = 0;
        java.util.Set<Long> seen = new java.util.HashSet<>();
        java.util.Set<String> patterns = new java.util.HashSet<>();
        for (int i = 0; i < specs.size(); i++) {
            String spec = specs.get(i);
            int eq = spec.lastIndexOf('=');
            String pattern = spec;
            long gen = i + 1;
            if (eq > 0 && spec.substring(eq + 1).matches("[0-9]{1,18}")) {
                pattern = spec.substring(0, eq);
                gen = Long.parseLong(spec.substring(eq + 1));
            }
            if (gen < 1 || !seen.add(gen) || !patterns.add(pattern)) {
                throw new IllegalArgumentException("--rewrite-rule " + spec + ": each rule needs its own pattern and a"
                        + " generation of at least 1 that no other rule has");
            }
            RewriteRules.NONE.withAdded(pattern, 0); // the pattern checks of kvstore-admin rewrite add
            rules.add(new RewriteRule(pattern, gen, 0, 0));
            max = Math.max(max, gen);
        }
        return new RewriteRules(rules, max + 1);
    }
}
