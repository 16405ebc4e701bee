package io.kvstore.proxy.failover;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.health.Quorum;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps replicas in line with the topology: every replica listed in an active group that a quorum
 * sees up must follow the group's master, and the master must be one; this makes it so (an old
 * master that returned, a replica that missed a repoint, a master restarted as a replica). Also
 * samples each master's replication offset, for the estimate of what a failover loses
 * ({@link #lastMasterOffset}). Invariant: each server is checked at most once per period (replicas
 * every {@value #RECONCILE_EVERY_MS} ms, masters every {@value #OFFSET_EVERY_MS} ms), and a replica
 * that comes back up is checked at once. Owned by the controller's thread (its maps are not shared).
 */
final class ReplicaReconciler {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaReconciler.class);

    /** How often each up replica's replication is checked. */
    static final long RECONCILE_EVERY_MS = 3_000;

    /** How often each master's replication offset is sampled (for the lost-writes estimate). */
    static final long OFFSET_EVERY_MS = 1_000;

    private final NodeOps ops;
    private final Leadership leadership;
    private final Map<HostPort, Long> masterOffset = new HashMap<>();
    private final Map<HostPort, Long> offsetSampledAt = new HashMap<>();
    private final Map<HostPort, Long> replicaCheckedAt = new HashMap<>();

    ReplicaReconciler(NodeOps ops, Leadership leadership) {
        this.ops = ops;
        this.leadership = leadership;
    }

    /** The last offset sampled on {@code master} while it was one, or null if never. */
    Long lastMasterOffset(HostPort master) {
        return masterOffset.get(master);
    }

    void reconcile(Topology t, Quorum q, long now) {
        for (Group g : t.groups()) {
            if (t.state(g.id()) != GroupState.ACTIVE && t.state(g.id()) != GroupState.DRAINING) {
                continue;
            }
            if (now - offsetSampledAt.getOrDefault(g.master(), 0L) >= OFFSET_EVERY_MS) {
                offsetSampledAt.put(g.master(), now);
                sampleMaster(g);
            }
            for (HostPort r : g.replicas()) {
                if (!q.up(r)) {
                    replicaCheckedAt.remove(r); // check at once when it is back
                    continue;
                }
                Long at = replicaCheckedAt.get(r);
                if (at != null && now - at < RECONCILE_EVERY_MS) {
                    continue;
                }
                replicaCheckedAt.put(r, now);
                checkReplica(g, r);
            }
        }
    }

    private void sampleMaster(Group g) {
        try {
            NodeOps.Replication m = ops.replication(g.master());
            if (m.master()) {
                masterOffset.put(g.master(), m.offset());
            } else {
                // The topology is the truth: a listed master that follows someone (restarted with
                // --replicaof by a script, say) would leave its group without a writable master.
                leadership.check();
                LOG.warn("{} is the master of group {} but follows {}: making it a master again", g.master(), g.id(),
                        m.masterOf());
                ops.promote(g.master());
            }
        } catch (IOException unreachable) {
            // the health checks judge that
        }
    }

    private void checkReplica(Group g, HostPort r) {
        try {
            NodeOps.Replication rep = ops.replication(r);
            if (rep.master() || !g.master().equals(rep.masterOf())) {
                leadership.check();
                LOG.warn("{} is listed as a replica of group {} but {}: making it follow {}", r, g.id(),
                        rep.master() ? "is a master" : "follows " + rep.masterOf(), g.master());
                ops.follow(r, g.master());
            }
        } catch (IOException e) {
            LOG.debug("cannot check replica {}: {}", r, e.toString());
        }
    }
}
