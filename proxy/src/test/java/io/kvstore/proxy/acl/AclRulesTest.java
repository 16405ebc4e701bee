package io.kvstore.proxy.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.command.CommandTable;
import io.kvstore.proxy.command.KeyFinder;
import io.kvstore.proxy.resp.Request;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule parser and the compiled user's checks, without a server. */
class AclRulesTest {

    private static final CommandTable TABLE = CommandTable.load();
    private static final AclRules RULES = new AclRules(TABLE);

    private static AclUser user(String line) {
        return AclUser.compile(RULES.parseLine(line), TABLE);
    }

    /** What the user's check says of a command, as in ACL DRYRUN: NONE, COMMAND, KEY or CHANNEL. */
    private static AclUser.Denial check(AclUser user, String... words) {
        List<byte[]> w = new ArrayList<>();
        for (String s : words) {
            w.add(s.getBytes(StandardCharsets.UTF_8));
        }
        Request request = Request.of(UnpooledByteBufAllocator.DEFAULT, w);
        try {
            CommandSpec spec = TABLE.get(words[0].toLowerCase());
            if (spec.kind() == io.kvstore.proxy.command.CommandKind.CONTAINER) {
                spec = TABLE.get(words[0].toLowerCase() + "|" + words[1].toLowerCase());
            }
            return user.check(spec, request, 0, KeyFinder.keys(spec, request), new int[1]);
        } finally {
            request.release();
        }
    }

    @Test
    void passwordsAreKeptOnlyAsTheirSha256() {
        UserRules r = RULES.parseLine("user alice on >p1");
        assertEquals(List.of("f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a"), r.passwords());
        assertFalse(r.describe().contains("p1 "));
        AclUser u = AclUser.compile(r, TABLE);
        assertTrue(u.accepts("p1".getBytes(StandardCharsets.UTF_8)));
        assertFalse(u.accepts("p2".getBytes(StandardCharsets.UTF_8)));
        assertFalse(user("alice off >p1").accepts("p1".getBytes(StandardCharsets.UTF_8)), "a disabled user never logs in");
        assertTrue(user("bob on nopass").accepts("anything".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of(), RULES.parseLine("alice >a >b resetpass").passwords());
        assertEquals(1, RULES.parseLine("alice >a >b <a").passwords().size());
    }

    @Test
    void describeIsWhatRedisListsForTheSameRules() {
        assertEquals("user bob off nopass ~* &* +@all -flushall",
                RULES.parseLine("bob off nopass allkeys allchannels allcommands -flushall").describe());
        assertEquals("user carol off resetchannels -@all", RULES.parseLine("carol").describe());
        assertEquals("user a on ~k:* %R~ro:* resetchannels &chan* -@all +get",
                RULES.parseLine("a on ~k:* %R~ro:* &chan* +get").describe());
        assertEquals("user a off resetchannels -@all", RULES.parseLine("a on ~x &y +get reset").describe());
    }

    @Test
    void badRulesGetRedisWords() {
        assertEquals("Error in ACL SETUSER modifier 'bogus': Syntax error",
                assertThrows(AclRules.RuleException.class, () -> RULES.parseLine("a bogus")).getMessage());
        assertEquals("Error in ACL SETUSER modifier '+@bogus': Unknown command or category name in ACL",
                assertThrows(AclRules.RuleException.class, () -> RULES.parseLine("a +@bogus")).getMessage());
        assertEquals("Error in ACL SETUSER modifier '+config|nosub': Unknown command or category name in ACL",
                assertThrows(AclRules.RuleException.class, () -> RULES.parseLine("a +config|nosub")).getMessage());
        assertThrows(AclRules.RuleException.class, () -> RULES.parseLine("a #abc"));
        assertThrows(AclRules.RuleException.class, () -> RULES.parseLine("a allkeys ~x"));
        assertThrows(AclRules.RuleException.class, () -> RULES.parseLine("a <notthere"));
    }

    @Test
    void commandRulesLastOneWins() {
        AclUser u = user("u on ~* &* +@hash -hset +config|get +get +select|0");
        assertEquals(AclUser.Denial.NONE, check(u, "HGET", "h", "f"));
        assertEquals(AclUser.Denial.COMMAND, check(u, "HSET", "h", "f", "v"));
        assertEquals(AclUser.Denial.NONE, check(u, "CONFIG", "GET", "x"));
        assertEquals(AclUser.Denial.COMMAND, check(u, "CONFIG", "SET", "x", "y"));
        assertEquals(AclUser.Denial.COMMAND, check(u, "SET", "k", "v"));
        assertEquals(AclUser.Denial.NONE, check(u, "SELECT", "0"));
        assertEquals(AclUser.Denial.COMMAND, check(u, "SELECT", "1"));
        AclUser all = user("v on ~* &* +@all -@dangerous");
        assertEquals(AclUser.Denial.COMMAND, check(all, "FLUSHALL"));
        assertEquals(AclUser.Denial.NONE, check(all, "SET", "k", "v"));
        assertTrue(user("w on nopass ~* &* +@all").unrestricted());
        assertFalse(all.unrestricted());
    }

    @Test
    void keyPatternsCheckEveryKeyWithWhatTheCommandDoesToIt() {
        AclUser u = user("u on +@all ~app:* %R~ro:* %W~wo:*");
        assertEquals(AclUser.Denial.NONE, check(u, "GET", "app:1"));
        assertEquals(AclUser.Denial.KEY, check(u, "GET", "other"));
        assertEquals(AclUser.Denial.NONE, check(u, "GET", "ro:1"));
        assertEquals(AclUser.Denial.KEY, check(u, "SET", "ro:1", "v"));
        assertEquals(AclUser.Denial.NONE, check(u, "SET", "wo:1", "v"));
        assertEquals(AclUser.Denial.KEY, check(u, "SET", "wo:1", "v", "GET"), "SET ... GET reads the key too");
        assertEquals(AclUser.Denial.KEY, check(u, "GET", "wo:1"));
        assertEquals(AclUser.Denial.NONE, check(u, "COPY", "ro:1", "wo:1"));
        assertEquals(AclUser.Denial.KEY, check(u, "COPY", "wo:1", "ro:1"));
        assertEquals(AclUser.Denial.KEY, check(u, "MGET", "app:1", "other"));
        assertEquals(AclUser.Denial.KEY, check(u, "PDEL", "app:*"), "PDEL only for a user of every key");
    }

    @Test
    void channelsAreGlobbedButPsubscribePatternsCompareLiterally() {
        AclUser u = user("u on +@all ~* &chan*");
        assertEquals(AclUser.Denial.NONE, check(u, "PUBLISH", "chanA", "m"));
        assertEquals(AclUser.Denial.CHANNEL, check(u, "PUBLISH", "x", "m"));
        assertEquals(AclUser.Denial.CHANNEL, check(u, "SUBSCRIBE", "chan1", "zzz"));
        assertEquals(AclUser.Denial.NONE, check(u, "PSUBSCRIBE", "chan*"));
        assertEquals(AclUser.Denial.CHANNEL, check(u, "PSUBSCRIBE", "chanX"));
    }

    @Test
    void usersWithoutDefaultGetRedisDefaultOrThePassword() {
        Users none = Users.of(List.of(), null, TABLE);
        assertTrue(none.defaultAuthenticates());
        assertTrue(none.defaultUser().unrestricted());
        Users withPassword = Users.of(List.of("alice on >a ~* +get"), "secret", TABLE);
        assertFalse(withPassword.defaultAuthenticates());
        assertTrue(withPassword.defaultUser().accepts("secret".getBytes(StandardCharsets.UTF_8)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Users.of(List.of("bob on >topsecret bogus"), null, TABLE));
        assertFalse(e.getMessage().contains("topsecret"), "a bad line is reported without its password");
    }
}
