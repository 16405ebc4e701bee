package io.kvstore.proxy.failover;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.StoreException;
import io.kvstore.config.store.Topology;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data-store mode, master down: promote the reachable replica with the highest replication offset
 * ({@code REPLICAOF NO ONE}), make the others follow it and publish it in one epoch; with no
 * reachable replica the group is marked down ({@code -CLUSTERDOWN} for its slots). The chosen
 * replica is recorded before it is promoted, so a new leader promotes the same one. Stateless
 * beyond its collaborators; the controller's thread.
 */
final class DataStorePromote implements Procedure {

    private static final Logger LOG = LoggerFactory.getLogger(DataStorePromote.class);

    private final Tools tools;
    private final NodeOps ops;
    private final ReplicaReconciler offsets;

    DataStorePromote(Tools tools, ReplicaReconciler offsets) {
        this.tools = tools;
        this.ops = tools.ops();
        this.offsets = offsets;
    }

    @Override
    public void drive(RecordRun run, Topology t) {
        FailoverRecord r = run.r();
        Group g = t.group(r.group()).orElseThrow();
        if (!g.master().equals(r.oldMaster())) {
            if (g.master().equals(r.newMaster())) {
                run.done(t.epoch(), "already published: " + g.master() + " is master");
            } else {
                run.fail("the master of group " + g.id() + " was changed meanwhile, to " + g.master());
            }
            return;
        }
        NodeOps.Replication best = best(r, g);
        if (best == null) {
            tools.zk().write(x -> x.state(g.id()) == GroupState.DOWN || !x.group(g.id()).orElseThrow().master().equals(r.oldMaster())
                    ? x : x.withGroupState(g.id(), GroupState.DOWN));
            run.fail("no reachable replica to promote: group " + g.id() + " is down (its slots answer -CLUSTERDOWN)"
                    + " until its master or a replica is back");
            return;
        }
        HostPort cand = best.address();
        Long last = offsets.lastMasterOffset(r.oldMaster());
        long lost = best.master() ? r.lostBytes() : last == null || best.offset() < 0 ? -1 : Math.max(0, last - best.offset());
        run.save(r.chose(cand, lost, "promoting " + cand + " (offset " + best.offset() + ")"));
        run.step("chosen");
        if (!best.master()) {
            tools.leadership().check();
            try {
                ops.promote(cand);
            } catch (IOException e) {
                run.fail("cannot promote " + cand + ": " + e.getMessage() + "; trying again next round");
                return;
            }
        }
        tools.params().before(cand);
        run.save(run.r().note("promoted " + cand + "; repointing the other replicas"));
        run.step("promoted");
        List<HostPort> replicas = Repoint.others(tools, g, cand);
        if (!replicas.contains(r.oldMaster())) {
            replicas.add(r.oldMaster()); // made a replica of the new master when it returns
        }
        Topology after = tools.zk().write(x -> {
            HostPort m = x.group(g.id()).orElseThrow().master();
            if (m.equals(cand)) {
                return x;
            }
            if (!m.equals(r.oldMaster())) {
                throw new StoreException.Conflict("the master of group " + g.id() + " changed meanwhile, to " + m);
            }
            return x.withMaster(g.id(), cand, replicas);
        });
        run.done(after.epoch(), "promoted " + cand + " (" + (lost < 0 ? "lost bytes unknown" : "at least " + lost
                + " bytes of replication stream lost") + "); " + r.oldMaster() + " becomes its replica when it returns");
    }

    /**
     * The replica to promote: the one already chosen if it answers, else the reachable one with
     * the highest offset; never one that is a master already by someone else's hand. Null if none.
     */
    private NodeOps.Replication best(FailoverRecord r, Group g) {
        NodeOps.Replication best = null;
        for (HostPort a : g.replicas()) {
            if (a.equals(r.oldMaster())) {
                continue;
            }
            NodeOps.Replication rep;
            try {
                rep = ops.replication(a);
            } catch (IOException unreachable) {
                LOG.warn("replica {} of group {} cannot be promoted: {}", a, g.id(), unreachable.toString());
                continue;
            }
            if (rep.master() && !a.equals(r.newMaster())) {
                LOG.warn("replica {} of group {} is a master already, not by us: not promoting it", a, g.id());
                continue;
            }
            if (best == null || a.equals(r.newMaster()) || (!best.address().equals(r.newMaster()) && rep.offset() > best.offset())) {
                best = rep;
            }
        }
        return best;
    }
}
