package io.kvstore.proxy.failover;

import io.kvstore.config.Group;
import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.Topology;
import java.util.List;

/**
 * Cache mode, master down: the group's slots go to the other active groups in one epoch (their
 * keys are misses until refilled). The slots it owned are recorded first, so that when it rejoins
 * it can take those back. Stateless beyond its store; the controller's thread.
 */
final class CacheReassign implements Procedure {

    private final LeaderStore zk;

    CacheReassign(LeaderStore zk) {
        this.zk = zk;
    }

    @Override
    public void drive(RecordRun run, Topology t) {
        FailoverRecord r = run.r();
        Group g = t.group(r.group()).orElseThrow();
        if (!g.master().equals(r.oldMaster())) {
            run.fail("the master of group " + g.id() + " was changed meanwhile, to " + g.master());
            return;
        }
        if (t.state(g.id()) == GroupState.FAILED) {
            run.done(t.epoch(), "already failed: its slots are served by the other groups");
            return;
        }
        List<SlotRange> owned = t.ranges().stream().filter(x -> x.groupId().equals(g.id())).toList();
        if (run.r().slots().isEmpty() && !owned.isEmpty()) {
            run.save(run.r().withSlots(owned, "giving " + t.slotCount(g.id()) + " slots to the other groups"));
        }
        Topology after = zk.write(x -> x.state(g.id()) == GroupState.FAILED ? x : x.withGroupFailed(g.id()));
        run.done(after.epoch(), after.state(g.id()) == GroupState.FAILED
                ? "its " + t.slotCount(g.id()) + " slots now belong to the other active groups (misses until refilled)"
                : "no other active group: the cluster answers -CLUSTERDOWN until a master is back");
    }
}
