package io.kvstore.proxy.failover;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.Topology;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An operator's failover: mark the group, pause the master's writes, wait until the target has
 * every byte of them, promote it, make the others (old master included) follow it, publish it,
 * unpause, wait for the proxies. No acknowledged write is lost; writes that waited in the pause
 * get an error (the old master is a read-only replica by then), never a silent loss. Whatever
 * stops it before the publication is undone the same way ({@link #rollBack}). Stateless beyond
 * its collaborators; the controller's thread.
 */
final class PlannedFailover implements Procedure {

    private static final Logger LOG = LoggerFactory.getLogger(PlannedFailover.class);

    /** How long a planned failover pauses the old master's writes at most (it unpauses itself if we die). */
    static final long PLANNED_PAUSE_MS = 10_000;

    private final Tools tools;
    private final LeaderStore zk;
    private final Leadership leadership;
    private final NodeOps ops;

    PlannedFailover(Tools tools) {
        this.tools = tools;
        this.zk = tools.zk();
        this.leadership = tools.leadership();
        this.ops = tools.ops();
    }

    @Override
    public void drive(RecordRun run, Topology t) {
        FailoverRecord r = run.r();
        Group g = t.group(r.group()).orElseThrow();
        HostPort old = r.oldMaster();
        if (!g.master().equals(old)) {
            if (g.master().equals(r.newMaster())) {
                run.done(t.epoch(), "already published: " + g.master() + " is master");
            } else {
                run.fail("the master of group " + g.id() + " is " + g.master() + ", not " + old);
            }
            return;
        }
        GroupState st = t.state(g.id());
        if (st != GroupState.ACTIVE && st != GroupState.FAILING_OVER) {
            run.fail("group " + g.id() + " is " + st + "; a planned failover needs an active group");
            return;
        }
        try {
            HostPort to = target(run, g, old);
            if (to != null) {
                switchTo(run, g, old, to);
            }
        } catch (IOException e) {
            rollBack(run, g.id(), old, "a redis-server failed during the planned failover: " + e.getMessage());
        }
    }

    /**
     * The replica to promote, checked to be in sync with {@code old}: the one asked for, or the
     * most advanced one replicating from it. Null when the run was failed (and rolled back) here.
     */
    private HostPort target(RecordRun run, Group g, HostPort old) throws IOException {
        HostPort target = run.r().newMaster();
        if (target == null) {
            NodeOps.Replication best = null;
            for (HostPort a : g.replicas()) {
                try {
                    NodeOps.Replication rep = ops.replication(a);
                    if (!rep.master() && old.equals(rep.masterOf()) && rep.linkUp() && (best == null || rep.offset() > best.offset())) {
                        best = rep;
                    }
                } catch (IOException unreachable) {
                    // not a candidate
                }
            }
            if (best == null) {
                run.fail("group " + g.id() + " has no replica that is up and replicating from " + old);
                return null;
            }
            target = best.address();
        } else if (!g.replicas().contains(target)) {
            run.fail(target + " is not a replica of group " + g.id() + " (replicas: " + g.replicas() + ")");
            return null;
        }
        NodeOps.Replication tr = ops.replication(target);
        if (tr.master()) {
            // A controller died after promoting it, before publishing: the old master may have taken
            // writes since its pause ended. It has them all, so go back to it rather than lose them.
            leadership.check();
            ops.follow(target, old);
            rollBack(run, g.id(), old, "interrupted after " + target + " was promoted; rolled back (it follows " + old
                    + " again, nothing lost): ask for the failover again");
            return null;
        }
        if (!old.equals(tr.masterOf()) || !tr.linkUp()) {
            run.fail(target + " is not in sync with " + old + " (link " + (tr.linkUp() ? "up" : "down") + ")");
            return null;
        }
        return target;
    }

    /** Marks, pauses, waits for {@code to} to catch up, promotes and publishes it. */
    private void switchTo(RecordRun run, Group g, HostPort old, HostPort to) throws IOException {
        run.save(run.r().chose(to, 0, "pausing writes on " + old));
        Topology marked = zk.write(x -> x.state(g.id()) == GroupState.ACTIVE ? x.withGroupState(g.id(), GroupState.FAILING_OVER) : x);
        // Every proxy applies the mark before the pause. Applying an epoch waits until the
        // requests routed by the older map are answered (ProxyServer.mapChanged), and writes
        // already on a paused master are answered only when the pause ends: a proxy still
        // applying the mark when the pause began held the switch's epoch back until
        // awaitProxies gave up, 5 s of paused writes (found by scripts/chaos.sh).
        zk.awaitProxies(marked.epoch());
        leadership.check();
        ops.pauseWrites(old, PLANNED_PAUSE_MS);
        long deadline = System.currentTimeMillis() + PLANNED_PAUSE_MS / 2;
        while (true) {
            long masterAt = ops.replication(old).offset();
            long replicaAt = ops.replication(to).offset();
            if (replicaAt >= masterAt) {
                break;
            }
            if (System.currentTimeMillis() > deadline) {
                rollBack(run, g.id(), old, to + " did not catch up with " + old + " (offset " + replicaAt + " of " + masterAt
                        + ") within " + PLANNED_PAUSE_MS / 2 + " ms; writes resumed on " + old + ", nothing changed");
                return;
            }
            leadership.check();
            NotLeader.sleep(10);
        }
        run.step("caught-up");
        leadership.check();
        ops.promote(to);
        tools.params().before(to);
        run.save(run.r().note("promoted " + to + "; repointing the others"));
        run.step("promoted");
        List<HostPort> replicas = Repoint.others(tools, g, to);
        leadership.check();
        ops.follow(old, to); // still paused: what waits there fails as a write to a replica
        replicas.add(old);
        Topology after = zk.write(x -> {
            HostPort m = x.group(g.id()).orElseThrow().master();
            return m.equals(to) ? x : x.withMaster(g.id(), to, replicas);
        });
        // Unpause first, then wait for the proxies: the old master is a replica already, so
        // what waited in the pause fails with -READONLY and nothing runs there as on a master.
        // Waiting first was circular under load: a proxy reports an epoch only once the
        // requests it routed by the older map are answered, and those on the old master were
        // held by the pause until awaitProxies gave up (5 s of paused writes; chaos.sh).
        unpause(old);
        zk.awaitProxies(after.epoch());
        run.done(after.epoch(), "planned: " + to + " is master, " + old + " follows it; no acknowledged write lost");
    }

    /**
     * Undoes a planned failover stopped before its publication, whatever step it reached:
     * {@code old} takes writes again (unpaused; harmless if it was not paused), the group loses its
     * mark (while {@code old} is still its master), and the record says why it failed.
     */
    private void rollBack(RecordRun run, String groupId, HostPort old, String why) {
        unpause(old);
        zk.unmark(groupId, old);
        run.fail(why);
    }

    private void unpause(HostPort old) {
        try {
            ops.unpause(old);
        } catch (IOException e) {
            LOG.warn("cannot unpause {} ({}); its pause ends by itself", old, e.toString());
        }
    }
}
