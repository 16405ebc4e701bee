package io.kvstore.config.rewrite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.RewrittenKey;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RewriteRulesTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void globAsRedis() {
        assertTrue(KeyGlob.matches(b("user:*"), b("user:1")));
        assertTrue(KeyGlob.matches(b("*"), b("")));
        assertFalse(KeyGlob.matches(b("user:?"), b("user:12")));
        assertTrue(KeyGlob.matches(b("h[ae]llo"), b("hallo")));
        assertFalse(KeyGlob.matches(b("h[^e]llo"), b("hello")));
        assertTrue(KeyGlob.matches(b("h[a-c]llo"), b("hbllo")));
        assertTrue(KeyGlob.matches(b("a\\*b"), b("a*b")));
        assertFalse(KeyGlob.matches(b("a\\*b"), b("axb")));
        assertTrue(KeyGlob.matches(b("*:{*}:*"), b("cart:{u1}:x")));
    }

    @Test
    void addBumpRemoveAndVisibility() {
        RewriteRules r = RewriteRules.NONE.withAdded("user:*", 1);
        byte[] p1 = r.physical(b("user:1"));
        assertEquals(1, RewrittenKey.generation(p1));
        assertArrayEquals(b("other"), r.physical(b("other")));
        assertArrayEquals(b("user:1"), r.visible(p1));
        assertNull(r.visible(b("user:1")), "a key stored under its own name before the rule is hidden");
        assertArrayEquals(b("other"), r.visible(b("other")));

        RewriteRules bumped = r.withBumped("user:*", 2);
        assertNull(bumped.visible(p1), "the old generation is hidden");
        assertTrue(bumped.stale(p1, "user:*"));
        byte[] p2 = bumped.physical(b("user:1"));
        assertEquals(2, RewrittenKey.generation(p2));
        assertArrayEquals(b("user:1"), bumped.visible(p2));
        assertFalse(bumped.stale(p2, "user:*"));
        assertFalse(bumped.stale(b("other"), "user:*"));

        RewriteRules removed = bumped.withRemoved("user:*");
        assertNull(removed.visible(p2));
        assertArrayEquals(b("user:1"), removed.visible(b("user:1")));
        RewriteRules again = removed.withAdded("user:*", 3);
        assertEquals(3, again.generationOf(b("user:1"), 0, 6), "generations are never reused");
    }

    @Test
    void refusals() {
        RewriteRules r = RewriteRules.NONE.withAdded("a*", 1);
        assertThrows(IllegalStateException.class, () -> r.withAdded("a*", 1));
        assertThrows(java.util.NoSuchElementException.class, () -> r.withBumped("b*", 1));
        byte[] physical = RewrittenKey.encode(1, b("x"));
        assertThrows(IllegalArgumentException.class, () -> RewriteRules.NONE.withAdded("*", 1).physical(physical),
                "a physical name is never rewritten again (the proxy refuses it first)");
        assertThrows(IllegalArgumentException.class, () -> RewriteRules.NONE.withAdded("", 1));
    }

    @Test
    void firstMatchingRuleWins() {
        RewriteRules r = RewriteRules.NONE.withAdded("a:*", 1).withAdded("a:b:*", 1);
        assertEquals(1, r.generationOf(b("a:b:c"), 0, 5));
        assertEquals(0, r.generationOf(b("z"), 0, 1));
    }

    @Test
    void jsonRoundTrip() {
        RewriteRules r = RewriteRules.NONE.withAdded("user:*", 5).withAdded("s:{*}", 6).withBumped("user:*", 7);
        RewriteStore store = new RewriteStore(null, "c");
        assertEquals(r, store.decode(RewriteStore.encode(r)));
        assertThrows(io.kvstore.config.store.StoreException.Malformed.class, () -> store.decode(b("{\"version\":9}")));
    }
}
