package io.kvstore.config.store;

import java.util.ArrayList;
import java.util.List;

/**
 * The one decision of a migration step that several actors may take: thawing its frozen slots.
 * Slots are marked frozen first; once every registered proxy reports the epoch of the mark (or a
 * later one), no proxy serves them from their owner any more and the keys may start to move. The
 * resharding driver thaws the step when it sees that; the proxies holding commands on the slots
 * do it too, later, so that a driver that died mid-step does not leave them frozen. The driver may
 * also take the mark back when a proxy does not confirm. Every one of these writes is a
 * compare-and-set applied only to the epoch its check was made against, so exactly one of them
 * takes effect and none acts on a topology it did not check. Stateless; any thread.
 */
public final class FrozenStep {

    private FrozenStep() {
    }

    /** The registered proxies that have not applied {@code epoch}, each with what it shows instead. */
    public static List<String> behind(ClusterStore store, String cluster, long epoch) {
        List<String> behind = new ArrayList<>();
        for (ClusterStore.Registration r : store.proxies(cluster)) {
            if (r.proxy() == null || r.proxy().appliedEpoch() < epoch) {
                behind.add(r.id() + (r.proxy() == null ? " (unreadable)" : " (at epoch " + r.proxy().appliedEpoch() + ")"));
            }
        }
        return behind;
    }

    /**
     * Thaws the frozen slots of {@code cluster} if every registered proxy has applied the current
     * epoch. Returns the topology as it is afterwards: thawed, or unchanged when nothing is frozen
     * or some proxy is behind (or another writer changed it meanwhile: the caller checks again).
     */
    public static Topology thawIfConfirmed(ClusterStore store, String cluster) {
        Topology t = store.read(cluster).value();
        if (t.frozen().isEmpty() || !behind(store, cluster, t.epoch()).isEmpty()) {
            return t;
        }
        long checked = t.epoch();
        return store.update(cluster, x -> x.epoch() == checked && !x.frozen().isEmpty() ? x.withMigrationsMoving() : x).value();
    }

    /**
     * Takes the frozen mark back (the slots stay with their owner), unless it was thawed meanwhile.
     * Returns the topology afterwards: when it still has migrating slots, the step was thawed by
     * someone else and its keys may be moving, so it must be finished, not abandoned.
     */
    public static Topology dropUnlessThawed(ClusterStore store, String cluster) {
        return store.update(cluster, x -> x.frozen().isEmpty() ? x : x.withFrozenMigrationsDropped()).value();
    }
}
