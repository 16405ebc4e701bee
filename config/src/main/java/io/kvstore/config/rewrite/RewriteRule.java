package io.kvstore.config.rewrite;

/**
 * One key rewrite rule: keys matching {@code pattern} (a glob, as {@code KEYS}) are stored under
 * their physical name in {@code generation}. Immutable value.
 *
 * @param pattern      the glob, as the operator gave it
 * @param generation   the current generation, unique in the cluster (never reused by any rule)
 * @param createdMillis when the rule was added (epoch ms, the admin's clock)
 * @param bumpedMillis when the generation last changed (the creation time until the first bump)
 */
public record RewriteRule(String pattern, long generation, long createdMillis, long bumpedMillis) {

    public RewriteRule {
        if (pattern == null || pattern.isEmpty()) {
            throw new IllegalArgumentException("a rule needs a non-empty pattern");
        }
        if (generation < 1) {
            throw new IllegalArgumentException("a generation is at least 1");
        }
    }
}
