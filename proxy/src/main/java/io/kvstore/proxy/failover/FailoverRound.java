package io.kvstore.proxy.failover;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.StoreException;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.Versioned;
import io.kvstore.proxy.health.BackendConfigReapply;
import io.kvstore.proxy.health.HealthOptions;
import io.kvstore.proxy.health.Quorum;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of the leader, run every {@code health-interval}: finish every recorded failover that
 * is not finished; if none was left, act on what {@link FailoverPlanner} decides from the topology
 * and the health quorum; when steady, keep replicas in line and the recorded parameters applied.
 * A round that loses leadership stops at once ({@link NotLeader}); a ZooKeeper problem is logged
 * once, not every round. Owned by the controller's thread ({@code kvstore-failover}): its fields
 * are not shared.
 */
final class FailoverRound implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(FailoverRound.class);

    /** Finished failover records kept for {@code kvstore-admin status}. */
    static final int KEEP_RECORDS = 50;

    private final LeaderStore zk;
    private final Leadership leadership;
    private final HealthOptions options;
    private final NodeOps ops;
    private final RecordDriver driver;
    private final ReplicaReconciler reconciler;
    private final BackendConfigReapply params;
    private final Set<String> finished = new HashSet<>(); // ids of finished records: never read again
    private long rounds;
    private String lastProblem;

    FailoverRound(LeaderStore zk, Leadership leadership, HealthOptions options, NodeOps ops, RecordDriver driver,
                  ReplicaReconciler reconciler, BackendConfigReapply params) {
        this.zk = zk;
        this.leadership = leadership;
        this.options = options;
        this.ops = ops;
        this.driver = driver;
        this.reconciler = reconciler;
        this.params = params;
    }

    @Override
    public void run() {
        if (!leadership.isLeader()) {
            return;
        }
        try {
            act();
            lastProblem = null;
            if (++rounds % 100 == 0) {
                zk.prune(KEEP_RECORDS);
            }
        } catch (NotLeader e) {
            LOG.warn("lost the leadership of cluster {} in the middle of a round: stopped at once", zk.cluster());
        } catch (StoreException e) {
            if (!e.getMessage().equals(lastProblem)) { // said once, not every round
                LOG.warn("failover round for cluster {}: {}", zk.cluster(), e.getMessage());
                lastProblem = e.getMessage();
            }
        } catch (RuntimeException e) {
            LOG.error("failover round for cluster {} failed", zk.cluster(), e);
        }
    }

    private void act() {
        long now = System.currentTimeMillis();
        Topology t = zk.topology();
        List<ClusterStore.Registration> proxies = zk.proxies();
        List<String> live = proxies.stream().map(ClusterStore.Registration::id).toList();
        Quorum q = Quorum.judge(live, zk.healthReports(), now, options.downAfterMs(), options.intervalMs(), options.quorum());
        if (driveUnfinished()) {
            return; // look again with fresh state next round
        }
        FailoverAction action = FailoverPlanner.plan(t, q, proxies, this::answers);
        if (action instanceof FailoverAction.FailOver f) {
            failOver(t, q, f.group());
        } else if (action instanceof FailoverAction.Unmark u) {
            zk.unmark(u.group().id(), u.group().master());
        } else if (action instanceof FailoverAction.StartRejoin r) {
            leadership.check();
            driver.startRejoin(t, r.group());
        } else {
            reconciler.reconcile(t, q, now);
            params.sweep(t, q::up);
        }
    }

    /** Drives every record not finished yet (one a dead leader started, one an operator asked for); whether there was one. */
    private boolean driveUnfinished() {
        boolean drove = false;
        for (String rid : zk.recordIds()) {
            if (finished.contains(rid)) {
                continue; // a finished record never changes: not read again
            }
            Optional<Versioned<FailoverRecord>> v = zk.record(rid);
            if (v.isEmpty()) {
                continue;
            }
            if (v.get().value().state().finished()) {
                finished.add(rid);
            } else {
                driver.drive(v.get());
                drove = true;
            }
        }
        return drove;
    }

    private void failOver(Topology t, Quorum q, Group g) {
        GroupState st = t.state(g.id());
        if (st == GroupState.ACTIVE || st == GroupState.DRAINING) {
            LOG.warn("master {} of group {} is down for {} of {} proxies for {} ms: failing over",
                    g.master(), g.id(), q.downVotes(g.master()), q.voters(), options.downAfterMs());
        }
        leadership.check();
        driver.startAuto(t, g);
    }

    /** Whether {@code server} answers a replication query now (a replica that a new failover could promote). */
    private boolean answers(HostPort server) {
        try {
            ops.replication(server);
            return true;
        } catch (IOException unreachable) {
            return false;
        }
    }
}
