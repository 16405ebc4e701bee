package io.kvstore.proxy.failover;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.health.Quorum;
import java.util.List;
import java.util.function.Predicate;

/**
 * Decides what a round does: the topology, the quorum's verdicts on its servers and the live
 * proxies in, one {@link FailoverAction} out, for the first group (in topology order) that needs
 * one. Pure: no ZooKeeper and no redis-server, but for {@code answers}, asked only about a
 * data-store replica of a failed or down group whose master is still away (whether a new failover
 * could promote it). Stateless; any thread.
 */
final class FailoverPlanner {

    private FailoverPlanner() {
    }

    /**
     * @param proxies the live proxies, with the epoch each has applied
     * @param answers whether a redis-server answers now (called lazily, see the class comment)
     */
    static FailoverAction plan(Topology t, Quorum q, List<ClusterStore.Registration> proxies, Predicate<HostPort> answers) {
        for (Group g : t.groups()) {
            switch (t.state(g.id())) {
                case ACTIVE, DRAINING -> {
                    if (q.down(g.master())) {
                        return new FailoverAction.FailOver(g);
                    }
                }
                case FAILING_OVER -> {
                    // a planned failover whose record is gone: fail over if its master died, else undo the mark
                    return q.down(g.master()) ? new FailoverAction.FailOver(g) : new FailoverAction.Unmark(g);
                }
                case FAILED, DOWN -> {
                    if (q.up(g.master()) && allApplied(proxies, t.epoch())) {
                        return new FailoverAction.StartRejoin(g);
                    }
                    if (!q.up(g.master()) && retryable(t, g, answers)) {
                        return new FailoverAction.FailOver(g);
                    }
                }
                default -> {
                }
            }
        }
        return new FailoverAction.Steady();
    }

    /** Whether every proxy of {@code proxies} has applied {@code epoch} (or a later one). */
    static boolean allApplied(List<ClusterStore.Registration> proxies, long epoch) {
        return proxies.stream().allMatch(r -> r.proxy() != null && r.proxy().appliedEpoch() >= epoch);
    }

    /** A failed or down group whose master is still away, that a new failover could serve again. */
    private static boolean retryable(Topology t, Group g, Predicate<HostPort> answers) {
        if (t.mode() == ClusterMode.CACHE) {
            // down (no group to take its slots) while another group is active again: give them away now
            return t.state(g.id()) == GroupState.DOWN
                    && t.groups().stream().anyMatch(o -> !o.id().equals(g.id()) && t.state(o.id()) == GroupState.ACTIVE);
        }
        return g.replicas().stream().anyMatch(answers); // a replica answers: it can be promoted
    }
}
