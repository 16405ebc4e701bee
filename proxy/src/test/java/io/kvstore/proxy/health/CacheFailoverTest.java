package io.kvstore.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.SlotHash;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.Topology;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** Cache mode: a master killed for real; its slots go to the others; it comes back flushed. */
class CacheFailoverTest {

    private static final long DOWN_AFTER_MS = 3_000;

    @RegisterExtension
    final FailoverFixture f = FailoverFixture.perTest();

    @Test
    void killedMastersSlotsAreServedByTheOthersAndItRejoinsFlushed() throws Exception {
        // AOF on: the killed master comes back with what it held, which must never be served again.
        List<List<RedisNode>> groups = f.createCluster("c", ClusterMode.CACHE, 3, 0, true);
        FailoverFixture.Proxy p1 = f.startProxy("c", FailoverFixture.fast(DOWN_AFTER_MS));
        FailoverFixture.Proxy p2 = f.startProxy("c", FailoverFixture.fast(DOWN_AFTER_MS));
        f.awaitHealthViews("c");
        Topology t = f.topology("c");
        RedisNode g1 = groups.get(0).get(0);
        List<String> probes = FailoverFixture.keysOf(t, "g1", "stale:", 50);
        try (Jedis c = FailoverFixture.client(p1.port())) {
            probes.forEach(k -> c.set(k, "old"));
        }
        FailoverFixture.sleep(1_500); // appendfsync everysec: "old" is on disk

        try (WriteLoad w1 = new WriteLoad(p1.port(), FailoverFixture.keysOf(t, "g1", "a:", 200), "w1");
             WriteLoad w2 = new WriteLoad(p2.port(), FailoverFixture.keysOf(t, "g1", "b:", 200), "w2");
             WriteLoad other = new WriteLoad(p2.port(), FailoverFixture.keysOf(t, "g2", "c:", 200), "other")) {
            w1.awaitMore(300);
            w2.awaitMore(300);
            long killedAt = System.currentTimeMillis();
            g1.kill();

            FailoverFixture.await("g1 to be failed", () -> f.topology("c").state("g1") == GroupState.FAILED);
            Topology failed = f.topology("c");
            f.awaitEpoch(failed.epoch());
            w1.awaitMore(200);
            w2.awaitMore(200);
            long recovered = Math.max(w1.recoveredAt(), w2.recoveredAt());
            System.out.printf("cache kill -9: every slot served again %d ms after the kill (down-after %d ms); %s; %s%n",
                    recovered - killedAt, DOWN_AFTER_MS, w1, w2);
            assertTrue(w1.recoveredAt() > 0 && w2.recoveredAt() > 0);
            assertEquals(0, w1.hangs() + w2.hangs());
            assertEquals(0, other.errors(), "other groups kept serving: " + other);
            assertEquals(0, failed.slotCount("g1"));
            assertEquals(SlotHash.SLOTS, failed.slotCount("g2") + failed.slotCount("g3"));
            assertTrue(Math.abs(failed.slotCount("g2") - failed.slotCount("g3")) <= 1, "evenly: " + failed.ranges());
        }
        try (Jedis c = FailoverFixture.client(p2.port())) {
            for (String k : probes) {
                assertEquals(null, c.get(k), "a miss, not the old value");
            }
            probes.subList(0, 10).forEach(k -> c.set(k, "new"));
        }

        g1.restart();
        assertEquals("old", g1.client().get(probes.get(20)), "it came back with its stale data (AOF)");
        FailoverFixture.await("g1 to rejoin", () -> f.topology("c").state("g1") == GroupState.ACTIVE);
        Topology back = f.topology("c");
        f.awaitEpoch(back.epoch());
        assertTrue(back.slotCount("g1") >= SlotHash.SLOTS / 3 - 1, "auto-rejoin: an even share back: " + back.slotCount("g1"));
        try (Jedis c = FailoverFixture.client(p1.port())) {
            for (String k : probes) {
                assertNotEquals("old", c.get(k), "never the stale value of " + k);
            }
        }
        // The keys the others served for g1 meanwhile are deleted: they would be stale if those slots came back to them.
        for (RedisNode other : List.of(groups.get(1).get(0), groups.get(2).get(0))) {
            FailoverFixture.await("the keys left on " + other + " to be deleted", () -> {
                try (Jedis j = other.client()) {
                    return j.keys("*").stream().noneMatch(k -> back.owner(SlotHash.slot(k.getBytes(StandardCharsets.UTF_8))).equals("g1"));
                }
            });
        }
        List<FailoverRecord> records = f.failovers("c");
        assertEquals(List.of(FailoverRecord.Kind.AUTO, FailoverRecord.Kind.REJOIN), records.stream().map(FailoverRecord::kind).toList());
        assertTrue(records.stream().allMatch(r -> r.state() == FailoverRecord.State.DONE), records.toString());
    }
}
