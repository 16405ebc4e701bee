package io.kvstore.proxy.failover;

import io.kvstore.config.Group;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.Topology;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A failed or down group's master is back (as a master): a cache master is flushed first (it never
 * serves what it held before it failed), then the group serves again; in cache mode with
 * auto-rejoin it takes an even share of the slots back, those it owned before first, and the keys
 * the other groups were given for them meanwhile are deleted in the background
 * ({@link LeftoverSweep}, on the sweep thread). Stateless beyond its collaborators; driven on
 * the controller's thread.
 */
final class Rejoin implements Procedure {

    private static final Logger LOG = LoggerFactory.getLogger(Rejoin.class);

    private final Tools tools;
    private final NodeOps ops;
    private final boolean autoRejoin;
    private final LeftoverSweep sweep;
    private final Executor sweeper;

    Rejoin(Tools tools, boolean autoRejoin, LeftoverSweep sweep, Executor sweeper) {
        this.tools = tools;
        this.ops = tools.ops();
        this.autoRejoin = autoRejoin;
        this.sweep = sweep;
        this.sweeper = sweeper;
    }

    @Override
    public void drive(RecordRun run, Topology t) {
        FailoverRecord r = run.r();
        Group g = t.group(r.group()).orElseThrow();
        if (t.state(g.id()) == GroupState.ACTIVE) {
            run.done(t.epoch(), "already active");
            return;
        }
        if (!g.master().equals(r.oldMaster())) {
            run.fail("the master of group " + g.id() + " was changed meanwhile, to " + g.master());
            return;
        }
        boolean cache = t.mode() == ClusterMode.CACHE;
        try {
            NodeOps.Replication rep = ops.replication(g.master());
            if (!rep.master()) {
                run.fail(g.master() + " is back as a replica of " + rep.masterOf() + ", not as a master; make it one"
                        + " (REPLICAOF NO ONE) and it rejoins");
                return;
            }
            if (cache) {
                tools.leadership().check();
                ops.flushAll(g.master()); // never serve what it held before it failed
                run.save(run.r().note("flushed " + g.master()));
                run.step("flushed");
            }
        } catch (IOException e) {
            run.fail(g.master() + " is unreachable again: " + e.getMessage());
            return;
        }
        tools.params().before(g.master());
        boolean share = cache && autoRejoin;
        List<SlotRange> former = tools.zk().formerSlots(g.id());
        Topology after = tools.zk().write(x -> x.state(g.id()) == GroupState.ACTIVE ? x : x.withGroupRejoined(g.id(), share, former));
        if (share) {
            sweepLeftovers(t, after, g.id());
        }
        run.done(after.epoch(), (cache ? "flushed and active again" : "active again") + (share
                ? " with " + after.slotCount(g.id()) + " slots"
                : after.slotCount(g.id()) == 0 ? " with no slots: give it some with kvstore-admin rebalance" : ""));
    }

    /**
     * In the background, deletes from the groups that gave slots back to {@code rejoined} the keys
     * they were given for those slots while it was away.
     */
    private void sweepLeftovers(Topology before, Topology after, String rejoined) {
        Map<String, boolean[]> byGiver = LeftoverSweep.givenBack(before, after, rejoined);
        byGiver.forEach((giver, slots) -> after.group(giver).ifPresent(gg -> sweeper.execute(() -> {
            try {
                long n = sweep.sweep(gg.master(), slots, rejoined);
                LOG.info("deleted {} keys left on group {} ({}) of the slots group {} took back", n, giver, gg.master(), rejoined);
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not delete the keys left on group {} of the slots group {} took back: {}; they expire or get"
                        + " evicted, but would be served again if those slots came back to {}", giver, rejoined, e.toString(), giver);
            }
        })));
    }
}
