package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.server.ProxyServer;
import io.kvstore.proxy.session.MultiKeyScope;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --multi-key-scope}: by default a multi-key command runs only when its keys share one
 * slot, as in Redis Cluster, whatever group the slots sit on; with {@code group} the old,
 * layout-dependent rule (keys on one group) applies. Split commands split in both. Inside MULTI
 * the errors are Redis Cluster's (checked against a redis-server in cluster mode): a command whose
 * own keys span slots gets -CROSSSLOT and EXEC -EXECABORT; commands each in one slot but not the
 * same one are queued and EXEC answers -CROSSSLOT.
 */
class MultiKeyScopeIntegrationTest {

    private static final RespSocket.Error CROSSSLOT = new RespSocket.Error("CROSSSLOT Keys in request don't hash to the same slot");
    private static final RespSocket.Error EXECABORT = new RespSocket.Error("EXECABORT Transaction discarded because of previous errors.");

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    private static ProxyServer groupScoped;
    /** Two keys in different slots of group 0. */
    private static String a;
    private static String b;
    /** A key of group 1. */
    private static String other;

    @BeforeAll
    static void start() {
        groupScoped = cluster.startProxy(o -> o.withMultiKeyScope(MultiKeyScope.GROUP));
        List<String> keys = cluster.keysOn(0, "k", 2);
        a = keys.get(0);
        b = keys.get(1);
        other = cluster.keysOn(1, "o", 1).get(0);
        assertNotEquals(slot(a), slot(b));
    }

    @BeforeEach
    void empty() {
        cluster.flushAll();
    }

    private static Set<String> members(int shard, String key) {
        try (redis.clients.jedis.Jedis j = cluster.shard(shard).client()) {
            return j.smembers(key);
        }
    }

    private static int slot(String key) {
        return SlotHash.slot(key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void byDefaultKeysMustShareASlotEvenOnOneGroup() {
        try (RespSocket c = RespSocket.connect(cluster.port())) {
            assertEquals(1L, c.call("SADD", a, "m"));
            assertEquals(CROSSSLOT, c.call("SINTER", a, b));
            assertEquals(CROSSSLOT, c.call("RENAME", a, b));
            assertEquals(CROSSSLOT, c.call("EVAL", "return 1", "2", a, b));
            assertEquals(CROSSSLOT, c.call("BLPOP", a, b, "0.01"));
            assertEquals(CROSSSLOT, c.call("WATCH", a, b));
            assertEquals(1L, c.call("SADD", "{t}x", "m"));
            assertEquals(List.of("m"), c.call("SUNION", "{t}x", "{t}y", "{t}x"));
            assertEquals("OK", c.call("MSET", a, "1", b, "2", other, "3"), "split commands still split");
            assertEquals(List.of("1", "2", "3"), c.call("MGET", a, b, other));
            assertEquals(3L, c.call("DEL", a, b, other));
        }
    }

    @Test
    void groupScopeAcceptsKeysOfOneGroup() {
        try (RespSocket c = RespSocket.connect(groupScoped.port())) {
            assertEquals(1L, c.call("SADD", a, "m"));
            assertEquals(List.of(), c.call("SINTER", a, b));
            assertEquals(CROSSSLOT, c.call("SINTER", a, other));
            assertEquals("OK", c.call("WATCH", a, b));
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("SET", a, "1"));
            assertEquals("QUEUED", c.call("SET", b, "2"));
            assertEquals(List.of("OK", "OK"), c.call("EXEC"));
        }
    }

    /**
     * A migration step that moves one slot of a group-scoped command and not the other: while the
     * slot is frozen the command waits (it never runs on the source while a key may move), and once
     * keys move it gets -CROSSSLOT; it never runs half on each group.
     */
    @Test
    void aMigrationStepNeverSplitsAGroupScopedCommand() {
        SlotMap before = groupScoped.context().cluster().map();
        try (RespSocket c = RespSocket.connect(groupScoped.port())) {
            assertEquals(2L, c.call("SADD", a, "m1", "m2"));
            assertEquals(1L, c.call("SMOVE", a, b, "m1"), "one group, two slots: allowed by the group rule");
            short[] to = SlotMap.noMigrations();
            to[slot(a)] = 1;
            boolean[] frozen = new boolean[SlotHash.SLOTS];
            frozen[slot(a)] = true;
            groupScoped.context().cluster().update(SlotMap.of(before.epoch() + 1, before.groups(), before.ownerArray(), to,
                    null, frozen));
            c.command("SMOVE", a, b, "m2"); // held: a's slot is frozen
            assertEquals(Set.of("m2"), members(0, a), "nothing ran on the source");
            SlotMap thawed = SlotMap.of(before.epoch() + 2, before.groups(), before.ownerArray(), to);
            groupScoped.context().cluster().update(thawed);
            groupScoped.mapChanged(thawed); // as the control plane does: loops release what they hold
            assertEquals(CROSSSLOT, c.read(), "a's slot is going to group 1, b's stays on group 0");
            assertEquals(Set.of("m1"), members(0, b));
            assertEquals(Set.of("m2"), members(1, a), "a moved whole, m2 not moved into b");
        } finally {
            groupScoped.context().cluster().update(SlotMap.of(before.epoch() + 3, before.groups(), before.ownerArray()));
        }
    }

    @Test
    void aCommandWhoseKeysSpanSlotsAbortsTheTransaction() {
        try (RespSocket c = RespSocket.connect(cluster.port())) {
            assertEquals("OK", c.call("MULTI"));
            assertEquals(CROSSSLOT, c.call("MSETNX", a, "1", b, "2"));
            assertEquals("QUEUED", c.call("SET", a, "1"));
            assertEquals(EXECABORT, c.call("EXEC"));
            assertEquals(null, c.call("GET", a));
        }
    }

    @Test
    void commandsOfDifferentSlotsAreQueuedAndExecAnswersCrossslot() {
        try (RespSocket c = RespSocket.connect(cluster.port())) {
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("SET", a, "1"));
            assertEquals("QUEUED", c.call("SET", b, "2"));
            assertEquals(CROSSSLOT, c.call("EXEC"));
            assertEquals(null, c.call("GET", a), "nothing of the transaction ran");
            assertEquals("OK", c.call("MULTI"), "the transaction is over");
            assertEquals("QUEUED", c.call("SET", "{t}a", "1"));
            assertEquals("QUEUED", c.call("SET", "{t}b", "2"));
            assertEquals(List.of("OK", "OK"), c.call("EXEC"));
        }
    }

    @Test
    void aTransactionAcrossGroupsUnderGroupScopeFailsAtExec() {
        try (RespSocket c = RespSocket.connect(groupScoped.port())) {
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("SET", a, "1"));
            assertEquals("QUEUED", c.call("SET", other, "2"));
            assertEquals(CROSSSLOT, c.call("EXEC"));
            assertEquals(null, c.call("GET", a));
        }
    }
}
