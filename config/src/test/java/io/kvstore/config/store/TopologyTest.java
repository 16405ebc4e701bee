package io.kvstore.config.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopologyTest {

    static Group group(String id, int port, int... replicaPorts) {
        List<HostPort> replicas = java.util.Arrays.stream(replicaPorts).mapToObj(p -> new HostPort("127.0.0.1", p)).toList();
        return new Group(id, new HostPort("127.0.0.1", port), replicas, BackendAuth.NONE);
    }

    @Test
    void createSpreadsSlotsEvenlyAtEpochOne() {
        Topology t = Topology.create("c1", ClusterMode.CACHE, List.of(group("g1", 7001), group("g2", 7002), group("g3", 7003)));
        assertEquals(1, t.epoch());
        assertEquals(List.of(new SlotRange(0, 5461, "g1"), new SlotRange(5462, 10922, "g2"), new SlotRange(10923, 16383, "g3")),
                t.ranges());
        assertEquals(5462, t.slotCount("g1"));
        assertEquals(GroupState.ACTIVE, t.state("g2"));
        assertEquals("g4", t.nextGroupId());
    }

    @Test
    void slotMapCarriesTheProxysCredentialsNotStoredOnes() {
        BackendAuth secret = new BackendAuth(null, "pw", 0);
        Topology t = Topology.create("c1", ClusterMode.CACHE,
                List.of(new Group("g1", new HostPort("127.0.0.1", 7001), List.of(), secret)));
        assertEquals(BackendAuth.NONE, t.groups().get(0).auth());
        SlotMap map = t.slotMap(secret);
        assertEquals(secret, map.groups().get(0).auth());
        assertEquals(1, map.epoch());
        assertEquals(0, map.groupIndex(SlotHash.SLOTS - 1));
    }

    @Test
    void everyChangeRaisesTheEpoch() {
        Topology t = Topology.create("c1", ClusterMode.DATASTORE, List.of(group("g1", 7001)));
        Topology added = t.withGroupAdded(group("g2", 7002));
        assertEquals(2, added.epoch());
        assertEquals(0, added.slotCount("g2"));
        Topology moved = added.withSlotsAssigned(List.of(new SlotRange(100, 199, "g2"), new SlotRange(5000, 5000, "g2")));
        assertEquals(3, moved.epoch());
        assertEquals(101, moved.slotCount("g2"));
        assertEquals(List.of(new SlotRange(0, 99, "g1"), new SlotRange(100, 199, "g2"), new SlotRange(200, 4999, "g1"),
                new SlotRange(5000, 5000, "g2"), new SlotRange(5001, 16383, "g1")), moved.ranges());
        Topology back = moved.withSlotsAssigned(List.of(new SlotRange(0, 16383, "g1")));
        Topology removed = back.withGroupRemoved("g2");
        assertEquals(5, removed.epoch());
        assertEquals(List.of(new SlotRange(0, 16383, "g1")), removed.ranges());
    }

    @Test
    void removingAGroupIsRefusedWhileItOwnsSlots() {
        Topology t = Topology.create("c1", ClusterMode.CACHE, List.of(group("g1", 7001), group("g2", 7002)));
        StoreException.Conflict e = assertThrows(StoreException.Conflict.class, () -> t.withGroupRemoved("g1"));
        assertTrue(e.getMessage().contains("still owns 8192 slots"), e.getMessage());
        assertThrows(StoreException.NotFound.class, () -> t.withGroupRemoved("nope"));
    }

    @Test
    void removingAGroupRenumbersTheOwnersBehindIt() {
        Topology t = Topology.create("c1", ClusterMode.CACHE, List.of(group("g1", 7001), group("g2", 7002), group("g3", 7003)))
                .withSlotsAssigned(List.of(new SlotRange(0, 5461, "g3")));
        Topology removed = t.withGroupRemoved("g1");
        assertEquals(List.of("g2", "g3"), removed.groups().stream().map(Group::id).toList());
        assertEquals(List.of(new SlotRange(0, 5461, "g3"), new SlotRange(5462, 10922, "g2"), new SlotRange(10923, 16383, "g3")),
                removed.ranges());
    }

    @Test
    void anAddressMayAppearOnlyOnceInACluster() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Topology.create("c1", ClusterMode.CACHE,
                List.of(group("g1", 7001, 7101), group("g2", 7101))));
        assertTrue(e.getMessage().contains("127.0.0.1:7101 is listed twice: replica of g1 and master of g2"), e.getMessage());
        Topology t = Topology.create("c1", ClusterMode.CACHE, List.of(group("g1", 7001)));
        assertThrows(IllegalArgumentException.class, () -> t.withGroupAdded(group("g2", 7001)));
        assertThrows(StoreException.Conflict.class, () -> t.withGroupAdded(group("g1", 7009)));
        assertThrows(IllegalArgumentException.class, () -> t.withGroupAdded(group("g2", 0)), "port 0 is for listening only");
    }

    @Test
    void rangesMustCoverEverySlotOnce() {
        List<Group> gs = List.of(group("g1", 7001), group("g2", 7002));
        List<GroupState> st = List.of(GroupState.ACTIVE, GroupState.ACTIVE);
        IllegalArgumentException gap = assertThrows(IllegalArgumentException.class, () -> Topology.of("c", ClusterMode.CACHE, 1, gs, st,
                List.of(new SlotRange(0, 99, "g1"), new SlotRange(200, 16383, "g2"))));
        assertTrue(gap.getMessage().contains("slots 100-199 are not assigned"), gap.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> Topology.of("c", ClusterMode.CACHE, 1, gs, st,
                List.of(new SlotRange(0, 100, "g1"), new SlotRange(100, 16383, "g2"))));
        assertTrue(twice.getMessage().contains("slot 100 is assigned twice"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Topology.of("c", ClusterMode.CACHE, 1, gs, st,
                List.of(new SlotRange(0, 16383, "g9"))));
    }

    @Test
    void namesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> Topology.create("bad/name", ClusterMode.CACHE, List.of(group("g1", 7001))));
        assertThrows(IllegalArgumentException.class, () -> Topology.create("-x", ClusterMode.CACHE, List.of(group("g1", 7001))));
        assertThrows(IllegalArgumentException.class, () -> Topology.create("ok", ClusterMode.CACHE, List.of()));
        assertEquals("a.b_c-1", Topology.create("a.b_c-1", ClusterMode.CACHE, List.of(group("g1", 7001))).cluster());
    }

    @Test
    void slotRangesParseAsTyped() {
        assertEquals(new SlotRange(5, 5, "g"), SlotRange.parse("5", "g"));
        assertEquals(new SlotRange(0, 4095, "g"), SlotRange.parse(" 0-4095 ", "g"));
        assertThrows(IllegalArgumentException.class, () -> SlotRange.parse("10-5", "g"));
        assertThrows(IllegalArgumentException.class, () -> SlotRange.parse("0-16384", "g"));
        assertThrows(IllegalArgumentException.class, () -> SlotRange.parse("x", "g"));
    }
}
