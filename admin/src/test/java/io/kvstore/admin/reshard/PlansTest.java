package io.kvstore.admin.reshard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotHash;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.Topology;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What the resharding commands plan, and what they refuse, as pure functions of a topology. */
class PlansTest {

    private static Group group(String id, int port) {
        return new Group(id, new HostPort("127.0.0.1", port), List.of(), BackendAuth.NONE);
    }

    private static Topology three() {
        return Topology.create("c", ClusterMode.CACHE, List.of(group("g1", 7001), group("g2", 7002), group("g3", 7003)));
    }

    private static int moved(List<SlotRange> plan) {
        return plan.stream().mapToInt(r -> r.end() - r.start() + 1).sum();
    }

    @Test
    void rebalanceOfAnEvenClusterMovesNothingAndANewGroupGetsItsShare() {
        Topology t = three();
        assertEquals(List.of(), Plans.rebalance(t));
        Topology four = t.withGroupAdded(group("g4", 7004));
        List<SlotRange> plan = Plans.rebalance(four);
        assertEquals(SlotHash.SLOTS / 4, moved(plan));
        assertTrue(plan.stream().allMatch(r -> r.groupId().equals("g4")), plan.toString());
    }

    @Test
    void rebalanceLeavesAFailedGroupOutAndNeverMovesSlotsToIt() {
        Topology failed = three().withGroupFailed("g2");
        assertEquals(0, failed.slotCount("g2"));
        List<SlotRange> plan = Plans.rebalance(failed);
        assertTrue(plan.stream().noneMatch(r -> r.groupId().equals("g2")), plan.toString());
        assertTrue(moved(plan) <= 1, "g2's slots went evenly to g1 and g3 already: " + plan);
        // Control: a new group does get slots, and still none go to the failed one.
        List<SlotRange> withNew = Plans.rebalance(failed.withGroupAdded(group("g4", 7004)));
        assertEquals(SlotHash.SLOTS / 3, moved(withNew), withNew.toString());
        assertTrue(withNew.stream().allMatch(r -> r.groupId().equals("g4")), withNew.toString());
    }

    @Test
    void aDownGroupKeepsItsSlotsAndCannotGiveOrTake() {
        Topology down = three().withGroupState("g2", GroupState.DOWN);
        assertEquals(List.of(), Plans.rebalance(down), "the two serving groups are even already; g2 keeps its third");
        // Control: with a new group the serving groups even out, and g2's slots stay where they are.
        List<SlotRange> withNew = Plans.rebalance(down.withGroupAdded(group("g4", 7004)));
        int servingSlots = SlotHash.SLOTS - down.slotCount("g2");
        assertEquals(servingSlots / 3, moved(withNew), withNew.toString());
        assertTrue(withNew.stream().allMatch(r -> r.groupId().equals("g4")), withNew.toString());
        assertTrue(withNew.stream().flatMapToInt(r -> IntStream.rangeClosed(r.start(), r.end()))
                .noneMatch(slot -> down.owner(slot).equals("g2")), withNew.toString());
        assertThrows(IllegalArgumentException.class, () -> Plans.reshard(down, "g2", "g1", 10));
        assertThrows(IllegalArgumentException.class, () -> Plans.reshard(down, "g1", "g2", 10));
        int g2First = down.ranges().stream().filter(r -> r.groupId().equals("g2")).findFirst().orElseThrow().start();
        assertThrows(IllegalArgumentException.class, () -> Plans.migrate(down, g2First, g2First, "g1"));
        assertEquals(1, moved(Plans.migrate(down, 0, 0, "g3")), "slot 0 is g1's, which serves");
    }

    @Test
    void reshardTakesTheHighestSlotsOfTheSource() {
        Topology t = three();
        List<SlotRange> plan = Plans.reshard(t, "g3", "g1", 100);
        assertEquals(List.of(new SlotRange(SlotHash.SLOTS - 100, SlotHash.SLOTS - 1, "g1")), plan);
        assertThrows(IllegalArgumentException.class, () -> Plans.reshard(t, "g1", "g1", 1));
        assertThrows(IllegalArgumentException.class, () -> Plans.reshard(t, "g1", "g2", SlotHash.SLOTS));
    }

    private static MigrationJob job(List<SlotRange> moves, int chunk, int parallel) {
        MoveTuning d = MoveTuning.DEFAULT;
        return new MigrationJob(moves, 0, chunk, false, false, 0, 0, 0, 0, "",
                new MoveTuning(d.scanCount(), d.batchKeys(), d.batchMillis(), parallel, 0));
    }

    @Test
    void oneSourceAtATimeTakesChunkSlotsInTheJobsOrder() {
        Topology four = three().withGroupAdded(group("g4", 7004));
        List<SlotRange> plan = Plans.rebalance(four);
        List<SlotRange> step = Plans.nextStep(four, job(plan, 1024, 1));
        assertEquals(1024, moved(step));
        assertEquals(plan.get(0).start(), step.get(0).start(), "starts where the job starts: " + step);
        assertEquals(1, step.stream().map(r -> four.owner(r.start())).distinct().count(), "one source: " + step);
    }

    @Test
    void severalSourcesAtOnceTakeChunkSlotsFromEachUpToTheParallelLimit() {
        Topology four = three().withGroupAdded(group("g4", 7004));
        List<SlotRange> plan = Plans.rebalance(four); // about 1365 slots from each of g1, g2, g3
        List<SlotRange> step = Plans.nextStep(four, job(plan, 1000, 4));
        assertEquals(3000, moved(step), step.toString());
        for (String source : List.of("g1", "g2", "g3")) {
            int fromIt = step.stream().filter(r -> four.owner(r.start()).equals(source)).mapToInt(r -> r.end() - r.start() + 1).sum();
            assertEquals(1000, fromIt, source + " in " + step);
        }
        assertEquals(2000, moved(Plans.nextStep(four, job(plan, 1000, 2))), "at most two sources");
        // A step as large as every source's share moves all of it at once.
        assertEquals(moved(plan), moved(Plans.nextStep(four, job(plan, 2048, 4))));
        // Slots already at their target are not taken again.
        Topology half = four.withSlotsAssigned(step);
        List<SlotRange> rest = Plans.nextStep(half, job(plan, 1000, 4));
        assertEquals(moved(plan) - 3000, moved(rest), rest.toString());
        assertTrue(rest.stream().allMatch(r -> !half.owner(r.start()).equals("g4")), rest.toString());
    }
}
