package io.kvstore.admin.reshard;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.StoreException;
import io.kvstore.config.store.Topology;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Drives the recorded migration job of a cluster to its end, one step at a time. A step is:
 * mark up to {@code chunkSlots} slots as migrating (one epoch); wait until every live proxy has
 * applied that epoch; move the keys of those slots from their owners to their targets; flip the
 * slots to their targets (one epoch). Runs on the caller's thread.
 *
 * <p>Resumable by construction: the topology says which slots are migrating, the job says what
 * is left, and every part of a step can be done twice (MIGRATE of a key already moved answers
 * NOKEY; marking or flipping slots again is a no-op). A driver that dies is replaced by running
 * {@code kvstore-admin migrations NAME --resume}.
 *
 * <p>The wait for proxies is what makes the move safe: once every proxy routes a migrating slot
 * through MIGRATE-then-target, no key of it is written on the source any more. A proxy that does
 * not confirm in time stops the step (nothing moved yet, nothing lost) with an error naming it.
 */
public final class MigrationDriver {

    private final ClusterStore store;
    private final JobStore jobs;
    private final String cluster;
    private final BackendAuth auth;
    private final Progress progress;
    private final long proxyWaitMillis;
    private final String me = ManagementFactory.getRuntimeMXBean().getName();

    public MigrationDriver(ClusterStore store, String cluster, BackendAuth auth, Progress progress, long proxyWaitMillis) {
        this.store = store;
        this.jobs = new JobStore(store, cluster);
        this.cluster = cluster;
        this.auth = auth;
        this.progress = progress;
        this.proxyWaitMillis = proxyWaitMillis;
    }

    /** The outcome of a run. */
    public record Result(boolean cancelled, long slotsMoved, long keysMoved, long millis) {
    }

    /** Runs the recorded job until it is done or cancelled; the job node is removed at the end. */
    public Result run() throws IOException {
        long start = System.currentTimeMillis();
        MigrationJob job = jobs.read().orElseThrow(() -> new StoreException.NotFound("no migration is recorded for cluster " + cluster));
        long keys = job.keysMoved();
        long total = job.totalSlots();
        RateLimit rate = new RateLimit(job.rateKeys());
        long[] moved = {0};
        KeyMover mover = new KeyMover(auth, rate, n -> {
            moved[0] += n;
            progress.keys(n);
        });
        while (true) {
            job = jobs.read().orElseThrow(() -> new StoreException.NotFound("the migration job disappeared"));
            Topology t = store.read(cluster).value();
            Set<Integer> step = migratingSlots(t);
            if (step.isEmpty()) {
                List<SlotRange> next = nextStep(t, job);
                if (job.cancel() || next.isEmpty()) {
                    long done = done(t, job);
                    jobs.delete();
                    progress.slots(done, total);
                    return new Result(job.cancel() && !next.isEmpty(), done, keys + moved[0], System.currentTimeMillis() - start);
                }
                if (job.noData()) {
                    store.update(cluster, x -> x.withSlotsAssigned(next));
                    progress.note("flipped " + size(next) + " slots without moving data (--no-data)");
                    continue;
                }
                purgeTargets(t, next, mover);
                t = store.update(cluster, x -> x.withMigrations(next)).value();
                step = migratingSlots(t);
            }
            progress.step(t.epoch(), step.size());
            awaitProxies(t.epoch());
            moveKeys(t, step, mover);
            Set<Integer> flip = step;
            Topology after = store.update(cluster, x -> x.withMigrationsDone(flip)).value();
            long done = done(after, job);
            long keysNow = keys + moved[0];
            jobs.update(j -> j.progress(done, keysNow, me));
            progress.slots(done, total);
        }
    }

    private static Set<Integer> migratingSlots(Topology t) {
        Set<Integer> out = new LinkedHashSet<>();
        for (SlotRange r : t.migrating()) {
            for (int s = r.start(); s <= r.end(); s++) {
                out.add(s);
            }
        }
        return out;
    }

    /** Up to chunkSlots slots of the job not yet owned by their target, as ranges. */
    private static List<SlotRange> nextStep(Topology t, MigrationJob job) {
        List<SlotRange> out = new ArrayList<>();
        int budget = Math.max(1, job.chunkSlots());
        for (SlotRange r : job.moves()) {
            if (t.group(r.groupId()).isEmpty()) {
                throw new StoreException.Conflict("group " + r.groupId() + " of the migration left the cluster");
            }
            int s = r.start();
            while (s <= r.end() && budget > 0) {
                if (t.owner(s).equals(r.groupId())) {
                    s++;
                    continue;
                }
                int e = s;
                while (e + 1 <= r.end() && e - s + 1 < budget && !t.owner(e + 1).equals(r.groupId())) {
                    e++;
                }
                out.add(new SlotRange(s, e, r.groupId()));
                budget -= e - s + 1;
                s = e + 1;
            }
        }
        return out;
    }

    private static long done(Topology t, MigrationJob job) {
        long n = 0;
        for (SlotRange r : job.moves()) {
            for (int s = r.start(); s <= r.end(); s++) {
                if (t.owner(s).equals(r.groupId())) {
                    n++;
                }
            }
        }
        return n;
    }

    private static long size(List<SlotRange> ranges) {
        return ranges.stream().mapToLong(SlotRange::size).sum();
    }

    /** Waits until every registered proxy has applied {@code epoch} (or later). */
    private void awaitProxies(long epoch) {
        long deadline = System.currentTimeMillis() + proxyWaitMillis;
        while (true) {
            List<String> behind = new ArrayList<>();
            for (ClusterStore.Registration r : store.proxies(cluster)) {
                if (r.proxy() == null || r.proxy().appliedEpoch() < epoch) {
                    behind.add(r.id() + (r.proxy() == null ? " (unreadable)" : " (at epoch " + r.proxy().appliedEpoch() + ")"));
                }
            }
            if (behind.isEmpty()) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new StoreException.Conflict("proxies " + behind + " have not applied epoch " + epoch + " after "
                        + proxyWaitMillis + " ms; no key was moved in this step. Fix or stop them, then run "
                        + "`kvstore-admin migrations " + cluster + " --resume`");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException.Conflict("interrupted while waiting for proxies");
            }
        }
    }

    /** Removes stale keys of the next step's slots from their targets, before any proxy routes those slots there. */
    private void purgeTargets(Topology t, List<SlotRange> next, KeyMover mover) throws IOException {
        Map<String, Set<Integer>> byTarget = new HashMap<>();
        for (SlotRange r : next) {
            for (int s = r.start(); s <= r.end(); s++) {
                byTarget.computeIfAbsent(r.groupId(), g -> new java.util.HashSet<>()).add(s);
            }
        }
        for (Map.Entry<String, Set<Integer>> e : byTarget.entrySet()) {
            long removed = mover.purge(withAuth(t.group(e.getKey()).orElseThrow()), e.getValue());
            if (removed > 0) {
                progress.note("removed " + removed + " stale keys of the step's slots from " + e.getKey()
                        + ", which did not own them (left by --no-data or slots assign)");
            }
        }
    }

    /** Moves the keys of the step's slots, source group by source group. */
    private void moveKeys(Topology t, Set<Integer> step, KeyMover mover) throws IOException {
        Map<String, Map<Integer, Group>> bySource = new HashMap<>();
        Map<Integer, String> targetOf = new HashMap<>();
        for (SlotRange r : t.migrating()) {
            for (int s = r.start(); s <= r.end(); s++) {
                targetOf.put(s, r.groupId());
            }
        }
        for (int s : step) {
            Group target = t.group(targetOf.get(s)).orElseThrow();
            bySource.computeIfAbsent(t.owner(s), g -> new HashMap<>()).put(s, withAuth(target));
        }
        for (Map.Entry<String, Map<Integer, Group>> e : bySource.entrySet()) {
            mover.moveAll(withAuth(t.group(e.getKey()).orElseThrow()), e.getValue());
        }
    }

    private Group withAuth(Group g) {
        return new Group(g.id(), g.master(), g.replicas(), auth);
    }
}
