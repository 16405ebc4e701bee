package io.kvstore.config.store;

import static io.kvstore.config.store.TopologyTest.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.SlotMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The epochs of one migration step: marked frozen, thawed, flipped; or the mark taken back. */
class MigrationTopologyTest {

    private static Topology two() {
        return Topology.create("c", ClusterMode.DATASTORE, List.of(group("g1", 7001), group("g2", 7002)));
    }

    @Test
    void aStepIsMarkedFrozenThenThawedThenFlipped() {
        Topology t = two();
        Topology marked = t.withMigrations(List.of(new SlotRange(0, 9, "g2")));
        assertEquals(t.epoch() + 1, marked.epoch());
        assertEquals(List.of(new SlotRange(0, 9, "g2")), marked.migrating());
        assertEquals(List.of(new SlotRange(0, 9, "g2")), marked.frozen());
        SlotMap routed = marked.slotMap(BackendAuth.NONE);
        assertTrue(routed.isFrozen(0) && routed.isFrozen(9));
        assertFalse(routed.isFrozen(10));
        assertEquals(marked, TopologyCodec.decodeTopology("c", TopologyCodec.encodeTopology(marked, null)), "frozen survives ZooKeeper");

        Topology moving = marked.withMigrationsMoving();
        assertEquals(marked.migrating(), moving.migrating());
        assertEquals(List.of(), moving.frozen());
        assertFalse(moving.slotMap(BackendAuth.NONE).hasFrozen());
        assertEquals(1, moving.slotMap(BackendAuth.NONE).migrationTarget(0));

        Topology flipped = moving.withMigrationsDone(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        assertEquals("g2", flipped.owner(0));
        assertEquals(List.of(), flipped.migrating());
    }

    @Test
    void otherChangesKeepTheFreezeAndTakingTheMarkBackLeavesTheOwner() {
        Topology marked = two().withMigrations(List.of(new SlotRange(100, 100, "g2")));
        Topology otherChange = marked.withGroupState("g1", GroupState.FAILING_OVER);
        assertEquals(marked.frozen(), otherChange.frozen(), "a change made meanwhile must not thaw the slots");
        Topology dropped = otherChange.withFrozenMigrationsDropped();
        assertEquals(List.of(), dropped.migrating());
        assertEquals("g1", dropped.owner(100));
        Topology again = dropped.withMigrations(List.of(new SlotRange(100, 100, "g2"))).withMigrationsMoving();
        assertEquals(again.migrating(), again.withMigrations(List.of(new SlotRange(100, 100, "g2"))).migrating());
        assertEquals(List.of(), again.withMigrations(List.of(new SlotRange(100, 100, "g2"))).frozen(),
                "marking a slot that already moves keeps it moving");
    }

    @Test
    void aFrozenRangeMustMigrate() {
        Topology t = two();
        assertThrows(IllegalArgumentException.class, () -> Topology.of("c", ClusterMode.DATASTORE, 2, t.groups(), t.states(),
                t.ranges(), List.of(), List.of(new SlotRange(0, 0, "g2"))));
    }
}
