package io.kvstore.proxy.rewrite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvstore.config.rewrite.RewriteRule;
import io.kvstore.config.rewrite.RewriteRules;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The byte-level translations of key rewrite's pushes and EXEC replies: channel names both ways,
 * messages shown, hidden or passed unchanged, EXEC elements filtered one by one. Every buffer
 * given is released by the end (a leak would be reported by the paranoid leak detector).
 */
class KeyspaceChannelsTest {

    private static final RewriteRules RULES = new RewriteRules(List.of(new RewriteRule("r:*", 3, 0, 0)), 4);
    private static final String STORED = "\u00ffkv3:r:a";

    @Test
    void subscribedChannelsAreStoredNamesAndBack() {
        byte[] logical = bytes("__keyspace@0__:r:a");
        assertArrayEquals(bytes("__keyspace@0__:" + STORED), KeyspaceChannels.stored(RULES, logical));
        assertArrayEquals(logical, KeyspaceChannels.subscribed(KeyspaceChannels.stored(RULES, logical)));
        byte[] plain = bytes("__keyspace@0__:p:a");
        assertSame(plain, KeyspaceChannels.stored(RULES, plain), "a key of no rule");
        byte[] news = bytes("news");
        assertSame(news, KeyspaceChannels.stored(RULES, news));
        assertSame(logical, KeyspaceChannels.stored(null, logical), "no rules");
        byte[] event = bytes("__keyevent@0__:set");
        assertSame(event, KeyspaceChannels.stored(RULES, event), "a keyevent channel names an event");
    }

    @Test
    void messagesAreShownHiddenOrPassed() {
        assertEquals(resp("*3", "message", "__keyspace@0__:r:a", "set"),
                shown(RULES, resp("*3", "message", "__keyspace@0__:" + STORED, "set")));
        assertEquals(resp(">4", "pmessage", "__keyevent@*", "__keyevent@0__:del", "r:a"),
                shown(RULES, resp(">4", "pmessage", "__keyevent@*", "__keyevent@0__:del", STORED)), "RESP3 push, keyevent payload");
        assertNull(shown(RULES, resp("*3", "message", "__keyevent@0__:expired", "\u00ffkv2:r:a")), "an older generation");
        assertNull(shown(RULES, resp("*3", "message", "__keyspace@0__:r:b", "set")), "stored before its rule");
        assertNull(shown(null, resp("*3", "message", "__keyspace@0__:" + STORED, "set")), "a rule since removed");
        assertEquals(resp("*3", "message", "__keyspace@0__:p:a", "set"), shown(RULES, resp("*3", "message", "__keyspace@0__:p:a", "set")));
        assertEquals(resp("*3", "message", "news", STORED), shown(RULES, resp("*3", "message", "news", STORED)),
                "an ordinary channel's payload is the publisher's business");
    }

    @Test
    void execElementsAreFilteredByTheirOwnCommand() {
        assertNull(TransactionReplies.exec(Arrays.asList(null, null)), "no filter: EXEC's reply passes as it is");
        UnaryOperator<ByteBuf> exec = TransactionReplies.exec(Arrays.asList(null, KeyListReplies.keyFirst(), null));
        ByteBuf in = buf("*3\r\n:1\r\n" + resp("*2", STORED, "x") + "$" + STORED.length() + "\r\n" + STORED + "\r\n");
        ByteBuf out = exec.apply(in);
        assertEquals(0, in.refCnt());
        assertEquals("*3\r\n:1\r\n" + resp("*2", "r:a", "x") + "$" + STORED.length() + "\r\n" + STORED + "\r\n", text(out),
                "only BLPOP's element is filtered: a GET's value is data");
        ByteBuf nil = buf("*-1\r\n");
        assertSame(nil, exec.apply(nil), "a failed WATCH");
        nil.release();
        ByteBuf shortReply = buf("*1\r\n:1\r\n");
        assertThrows(IllegalStateException.class, () -> exec.apply(shortReply));
        assertEquals(0, shortReply.refCnt());
    }

    private static String shown(RewriteRules rules, String message) {
        ByteBuf in = buf(message);
        ByteBuf out = KeyspaceChannels.shown(rules, in);
        in.release();
        return out == null ? null : text(out);
    }

    private static String text(ByteBuf b) {
        try {
            return b.toString(StandardCharsets.ISO_8859_1);
        } finally {
            b.release();
        }
    }

    private static String resp(String header, String... bulks) {
        StringBuilder s = new StringBuilder(header).append("\r\n");
        for (String b : bulks) {
            s.append('$').append(b.length()).append("\r\n").append(b).append("\r\n");
        }
        return s.toString();
    }

    private static ByteBuf buf(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
