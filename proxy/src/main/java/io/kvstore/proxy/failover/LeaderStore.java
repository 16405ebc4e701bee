package io.kvstore.proxy.failover;

import io.kvstore.config.HostPort;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.HealthReport;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.Versioned;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cluster's state in ZooKeeper as the failover leader reads and writes it. Invariant: every
 * write is preceded by a leadership check, and a topology write also checks, in its transaction,
 * that this controller's latch node still exists (so a late write of a controller whose session
 * expired fails). Stateless beyond its collaborators; used from the controller's thread, and for
 * reads also from the sweep thread.
 */
final class LeaderStore {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderStore.class);

    private final ClusterStore store;
    private final String cluster;
    private final Leadership leadership;

    LeaderStore(ClusterStore store, String cluster, Leadership leadership) {
        this.store = store;
        this.cluster = cluster;
        this.leadership = leadership;
    }

    String cluster() {
        return cluster;
    }

    Topology topology() {
        return store.read(cluster).value();
    }

    List<ClusterStore.Registration> proxies() {
        return store.proxies(cluster);
    }

    List<HealthReport> healthReports() {
        return store.healthReports(cluster);
    }

    /** Writes the topology, only while this controller leads (checked here and by ZooKeeper, in the transaction). */
    Topology write(UnaryOperator<Topology> change) {
        String guard = leadership.guard();
        return store.update(cluster, x -> {
            leadership.check();
            return change.apply(x);
        }, guard).value();
    }

    /**
     * Takes the {@code failing-over} mark of a planned failover off group {@code groupId} (it serves
     * again as before), if it still has it and {@code master} is still its master.
     */
    Topology unmark(String groupId, HostPort master) {
        return write(x -> x.state(groupId) == GroupState.FAILING_OVER && x.group(groupId).orElseThrow().master().equals(master)
                ? x.withGroupState(groupId, GroupState.ACTIVE) : x);
    }

    /**
     * Waits (bounded by {@link FailoverController#PROXY_WAIT_MS}) until every live proxy reports
     * {@code epoch} applied; goes on with a warning after that.
     */
    void awaitProxies(long epoch) {
        long deadline = System.currentTimeMillis() + FailoverController.PROXY_WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (FailoverPlanner.allApplied(proxies(), epoch)) {
                return;
            }
            leadership.check();
            NotLeader.sleep(20);
        }
        LOG.warn("not every proxy applied epoch {} within {} ms; going on", epoch, FailoverController.PROXY_WAIT_MS);
    }

    // ---------------------------------------------------------------- failover records

    List<String> recordIds() {
        return store.failoverIds(cluster);
    }

    Optional<Versioned<FailoverRecord>> record(String id) {
        return store.failover(cluster, id);
    }

    Versioned<FailoverRecord> create(FailoverRecord r) {
        leadership.check();
        return store.createFailover(cluster, r);
    }

    /** A compare-and-set on {@code version}, after a leadership check. */
    Versioned<FailoverRecord> save(FailoverRecord r, int version) {
        leadership.check();
        return store.updateFailover(cluster, r, version);
    }

    void prune(int keep) {
        store.pruneFailovers(cluster, keep);
    }

    /** The slots the group owned before its last failover (cache mode), as recorded; empty if unknown. */
    List<SlotRange> formerSlots(String groupId) {
        List<String> ids = recordIds();
        for (int i = ids.size() - 1; i >= 0; i--) {
            Optional<Versioned<FailoverRecord>> v = record(ids.get(i));
            if (v.isPresent() && v.get().value().group().equals(groupId) && v.get().value().kind() == FailoverRecord.Kind.AUTO) {
                return v.get().value().slots();
            }
        }
        return List.of();
    }
}
