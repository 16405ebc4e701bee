package io.kvstore.proxy.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvstore.config.rewrite.RewriteRules;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticRulesTest {

    @Test
    void parsesPatternsAndGenerations() {
        assertSame(RewriteRules.NONE, StaticRules.parse(null));
        RewriteRules r = StaticRules.parse(List.of("user:*=7", "sess:*", "a=b"));
        assertEquals("user:*", r.rules().get(0).pattern());
        assertEquals(7, r.rules().get(0).generation());
        assertEquals(2, r.rules().get(1).generation(), "default: the rule's position");
        assertEquals("a=b", r.rules().get(2).pattern(), "no number after '=': all of it is the pattern");
        assertEquals(8, r.nextGeneration());
    }

    @Test
    void refusesDuplicatesAndBadPatterns() {
        assertThrows(IllegalArgumentException.class, () -> StaticRules.parse(List.of("a*=1", "b*=1")));
        assertThrows(IllegalArgumentException.class, () -> StaticRules.parse(List.of("a*", "a*")));
        assertThrows(IllegalArgumentException.class, () -> StaticRules.parse(List.of("x=0")));
    }
}
