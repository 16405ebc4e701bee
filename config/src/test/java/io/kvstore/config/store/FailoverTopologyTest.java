package io.kvstore.config.store;

import static io.kvstore.config.store.TopologyTest.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The topology changes failover makes: a new master, a failed group's slots given away and back, down flags. */
class FailoverTopologyTest {

    private static HostPort at(int port) {
        return new HostPort("127.0.0.1", port);
    }

    private static Topology three(ClusterMode mode) {
        return Topology.create("c", mode, List.of(group("g1", 7001, 7101, 7102), group("g2", 7002), group("g3", 7003)));
    }

    @Test
    void withMasterPromotesAReplicaAndKeepsTheOldMasterAsOne() {
        Topology t = three(ClusterMode.DATASTORE).withGroupState("g1", GroupState.FAILING_OVER);
        Topology next = t.withMaster("g1", at(7101), List.of(at(7102), at(7001)));
        assertEquals(t.epoch() + 1, next.epoch());
        assertEquals(at(7101), next.group("g1").orElseThrow().master());
        assertEquals(List.of(at(7102), at(7001)), next.group("g1").orElseThrow().replicas());
        assertEquals(GroupState.ACTIVE, next.state("g1"));
        assertEquals(t.ranges(), next.ranges(), "slots do not move");
        assertThrows(IllegalArgumentException.class, () -> t.withMaster("g1", at(7002), List.of()), "7002 is g2's master");
    }

    @Test
    void aFailedCacheGroupsSlotsAreSplitEvenlyInOneEpoch() {
        Topology t = three(ClusterMode.CACHE);
        Topology failed = t.withGroupFailed("g2");
        assertEquals(t.epoch() + 1, failed.epoch());
        assertEquals(GroupState.FAILED, failed.state("g2"));
        assertEquals(0, failed.slotCount("g2"));
        int moved = t.slotCount("g2");
        int toG1 = failed.slotCount("g1") - t.slotCount("g1");
        int toG3 = failed.slotCount("g3") - t.slotCount("g3");
        assertEquals(moved, toG1 + toG3);
        assertTrue(Math.abs(toG1 - toG3) <= 1, "evenly: " + toG1 + " and " + toG3);
        assertTrue(failed.ranges().size() <= 4, "contiguous parts: " + failed.ranges());
        SlotMap m = failed.slotMap(BackendAuth.NONE);
        assertTrue(m.isGroupDown(1), "a failed group is flagged down");
        assertFalse(m.isGroupDown(0));
        assertEquals(failed, TopologyCodec.decodeTopology("c", TopologyCodec.encodeTopology(failed, null)));
        assertThrows(StoreException.Conflict.class, () -> failed.withSlotsAssigned(List.of(new SlotRange(0, 0, "g2"))),
                "no slots for a failed group");
    }

    @Test
    void theLastActiveGroupFailingIsDownAndKeepsItsSlots() {
        Topology t = Topology.create("c", ClusterMode.CACHE, List.of(group("g1", 7001), group("g2", 7002)));
        Topology one = t.withGroupFailed("g1");
        Topology none = one.withGroupFailed("g2");
        assertEquals(GroupState.DOWN, none.state("g2"));
        assertEquals(SlotHash.SLOTS, none.slotCount("g2"));
        assertTrue(none.slotMap(BackendAuth.NONE).isGroupDown(1));
    }

    @Test
    void aRejoiningGroupTakesAnEvenShareFromTheHighestSlotsOfTheOthers() {
        Topology failed = three(ClusterMode.CACHE).withGroupFailed("g2");
        Topology back = failed.withGroupRejoined("g2", true);
        assertEquals(GroupState.ACTIVE, back.state("g2"));
        assertEquals(SlotHash.SLOTS / 3 + 1, back.slotCount("g1"));
        assertEquals(SlotHash.SLOTS / 3, back.slotCount("g2"));
        assertEquals(SlotHash.SLOTS / 3, back.slotCount("g3"));
        assertFalse(back.slotMap(BackendAuth.NONE).isGroupDown(1));
        Topology bare = failed.withGroupRejoined("g2", false);
        assertEquals(GroupState.ACTIVE, bare.state("g2"));
        assertEquals(0, bare.slotCount("g2"), "without auto-rejoin it waits for a rebalance");
    }

    @Test
    void aRejoiningGroupGetsItsFormerSlotsBackFirst() {
        Topology t = three(ClusterMode.CACHE);
        List<SlotRange> former = t.ranges().stream().filter(r -> r.groupId().equals("g2")).toList();
        Topology back = t.withGroupFailed("g2").withGroupRejoined("g2", true, former);
        assertEquals(t.ranges(), back.ranges(), "each group owns what it owned before the failure");
    }

    @Test
    void migrationsOfAFailedGroupAreSettled() {
        Topology t = three(ClusterMode.CACHE)
                .withMigrations(List.of(new SlotRange(6000, 6009, "g1"), new SlotRange(100, 109, "g2")));
        Topology failed = t.withGroupFailed("g2");
        assertEquals("g1", failed.owner(6000), "slots leaving the failed group go to their target");
        assertEquals("g1", failed.owner(100), "slots moving to the failed group stay");
        assertEquals(List.of(), failed.migrating());
    }

    @Test
    void aDownDataStoreGroupIsFlaggedForClusterDown() {
        Topology down = three(ClusterMode.DATASTORE).withGroupState("g3", GroupState.DOWN);
        SlotMap m = down.slotMap(BackendAuth.NONE);
        assertTrue(m.isGroupDown(2));
        assertEquals(down, TopologyCodec.decodeTopology("c", TopologyCodec.encodeTopology(down, "w")));
        assertEquals(GroupState.DOWN, GroupState.parse("down"));
        assertEquals("failed", GroupState.FAILED.wireName());
    }
}
