package io.kvstore.admin.reshard;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.FrozenStep;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.StoreException;
import io.kvstore.config.store.Topology;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives the recorded migration job of a cluster to its end, one step at a time. A step is:
 * mark some slots ({@link Plans#nextStep}) as migrating, frozen (one epoch: proxies hold commands
 * on them); wait until every live proxy has applied that epoch; unfreeze them (one epoch: proxies
 * move a key before touching it); move the keys of those slots from their owners to their
 * targets; flip the slots to their targets (one epoch). Runs on the caller's thread; a step's keys
 * are moved by one thread per source group ({@link ParallelSources}), and latency pacing, when
 * asked, runs on a thread of its own ({@link LatencyPacing}); both are done before {@link #run}
 * returns.
 *
 * <p>Resumable by construction: the topology says which slots are migrating, the job says what
 * is left, and every part of a step can be done twice (MIGRATE of a key already moved answers
 * NOKEY; marking or flipping slots again is a no-op). A driver that dies is replaced by running
 * {@code kvstore-admin migrations NAME --resume}.
 *
 * <p>The frozen epoch and the wait for proxies are what make the move safe. Once every proxy has
 * the frozen mark, none serves the slots from the source any more, so when keys start moving (by
 * this driver or by a proxy that already routes through MIGRATE-then-target) no proxy can still
 * read or write the old copy. Without the freeze, a proxy that applied the mark early would move
 * a key that a slower proxy then misses on the source. A proxy that does not confirm in time
 * stops the step: the mark is taken back (nothing moved yet, nothing lost) and the error names it.
 * Clients of the slots wait for the length of the freeze: two ZooKeeper round trips and the
 * slowest proxy's apply.
 */
public final class MigrationDriver {

    private final ClusterStore store;
    private final JobStore jobs;
    private final String cluster;
    private final BackendAuth auth;
    private final BackendAuth proxyAuth;
    private final Progress progress;
    private final long proxyWaitMillis;
    private final String me = ManagementFactory.getRuntimeMXBean().getName();

    /** {@code auth}: how to log in to the redis-servers; {@code proxyAuth}: to the proxies (latency pacing probes through them). */
    public MigrationDriver(ClusterStore store, String cluster, BackendAuth auth, BackendAuth proxyAuth, Progress progress,
                           long proxyWaitMillis) {
        this.store = store;
        this.jobs = new JobStore(store, cluster);
        this.cluster = cluster;
        this.auth = auth;
        this.proxyAuth = proxyAuth;
        this.progress = progress;
        this.proxyWaitMillis = proxyWaitMillis;
    }

    /**
     * The outcome of a run.
     *
     * @param pacing what latency pacing did, null when it was off
     */
    public record Result(boolean cancelled, long slotsMoved, long keysMoved, long millis, Pacing pacing) {
    }

    /**
     * What latency pacing did: what it probed ({@code "proxies"} or {@code "servers"}, the fallback)
     * and how many targets, the baseline p99, the bound and the target below it (microseconds), windows, cuts, the rate at
     * the end, and the trace of the windows.
     */
    public record Pacing(String via, int targets, double baselineMicros, double boundMicros, double targetMicros, long windows,
                         long decreases, int lastRate, List<PacingWindow> trace) {
    }

    /** Runs the recorded job until it is done or cancelled; the job node is removed at the end. */
    public Result run() throws IOException {
        long start = System.currentTimeMillis();
        MigrationJob job = jobs.read().orElseThrow(() -> new StoreException.NotFound("no migration is recorded for cluster " + cluster));
        long keys = job.keysMoved();
        long total = job.totalSlots();
        RateLimit rate = new RateLimit(job.rateKeys());
        AtomicLong moved = new AtomicLong();
        try (ParallelSources sources = new ParallelSources(job.tuning().parallelSources());
             LatencyPacing pacing = pacing(job, rate, moved)) {
            int batchMillis = job.tuning().batchMillis();
            long batchNanos = pacing == null ? batchMillis * 1_000_000L : pacing.batchNanos(batchMillis);
            int scanCount = pacing == null ? job.tuning().scanCount() : pacing.scanCount(job.tuning().scanCount());
            KeyMover mover = new KeyMover(auth, rate, job.tuning(), batchNanos, scanCount, n -> {
                moved.addAndGet(n);
                synchronized (progress) { // the movers of several sources report from their threads
                    progress.keys(n);
                }
            });
            Result r = steps(job, start, keys, total, mover, moved, sources);
            if (pacing == null) {
                return r;
            }
            LatencyPacing.Summary p = pacing.summary();
            if (pacing.failure() != null) {
                progress.note("latency pacing stopped early: " + pacing.failure());
            }
            return new Result(r.cancelled(), r.slotsMoved(), r.keysMoved(), r.millis(),
                    new Pacing(p.via(), p.targets(), p.baselineMicros(), p.boundMicros(), p.targetMicros(), p.windows(),
                            p.decreases(), p.lastRate(), p.trace()));
        }
    }

    /** Latency pacing of the job when it asks for it (probing through the proxies, see {@link ProbeTargets}), else null. */
    private LatencyPacing pacing(MigrationJob job, RateLimit rate, AtomicLong moved) throws IOException {
        double ratio = job.tuning().maxLatencyRatio();
        if (ratio == 0) {
            return null;
        }
        LatencyProbe probe = ProbeTargets.open(store, cluster, store.read(cluster).value(), job, auth, proxyAuth);
        LatencyPacing p = LatencyPacing.start(probe, job.tuning(), job.rateKeys(), rate, moved);
        LatencyPacing.Summary s = p.summary();
        progress.note(String.format("pacing by latency: baseline p99 %.0f us probed through %d %s%s, bound %.0f us (x%s), aiming below %.0f us,"
                + " MIGRATE batches of %d us and SCANs of %d keys at most", s.baselineMicros(), s.targets(),
                s.via().equals("proxies") ? "proxy routes to source groups" : "servers directly",
                s.via().equals("proxies") ? "" : " (no proxy answered)", s.boundMicros(),
                ratio, s.targetMicros(), p.batchNanos(job.tuning().batchMillis()) / 1000, p.scanCount(job.tuning().scanCount())));
        return p;
    }

    private Result steps(MigrationJob first, long start, long keys, long total, KeyMover mover, AtomicLong moved,
                         ParallelSources sources) throws IOException {
        MigrationJob job = first;
        while (true) {
            job = jobs.read().orElseThrow(() -> new StoreException.NotFound("the migration job disappeared"));
            Topology t = store.read(cluster).value();
            if (job.cancel() && !t.frozen().isEmpty()) {
                t = FrozenStep.dropUnlessThawed(store, cluster); // nothing of them moved yet
            }
            Set<Integer> step = migratingSlots(t);
            if (step.isEmpty()) {
                List<SlotRange> next = Plans.nextStep(t, job);
                if (job.cancel() || next.isEmpty()) {
                    long done = done(t, job);
                    jobs.delete();
                    progress.slots(done, total);
                    return new Result(job.cancel() && !next.isEmpty(), done, keys + moved.get(), System.currentTimeMillis() - start, null);
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
            t = thaw(t);
            moveKeys(t, step, mover, sources);
            Set<Integer> flip = step;
            Topology after = store.update(cluster, x -> x.withMigrationsDone(flip)).value();
            long done = done(after, job);
            long keysNow = keys + moved.get();
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

    /**
     * Thaws the step once every registered proxy has its frozen mark (a proxy may have done it
     * first, see {@link FrozenStep}); returns the thawed topology. A proxy that does not confirm
     * within the wait gets the mark taken back and the step fails, nothing moved.
     */
    private Topology thaw(Topology t) {
        long deadline = System.currentTimeMillis() + proxyWaitMillis;
        while (!t.frozen().isEmpty()) {
            // Still frozen while some proxy is behind, or when another change came meanwhile (checked again).
            t = FrozenStep.thawIfConfirmed(store, cluster);
            if (t.frozen().isEmpty()) {
                break;
            }
            if (System.currentTimeMillis() > deadline) {
                List<String> behind = FrozenStep.behind(store, cluster, t.epoch());
                Topology after = FrozenStep.dropUnlessThawed(store, cluster);
                if (!after.migrating().isEmpty()) {
                    return after; // a proxy thawed it meanwhile: keys may be moving, the step must finish
                }
                throw new StoreException.Conflict("proxies " + behind + " have not applied epoch " + t.epoch() + " after "
                        + proxyWaitMillis + " ms; the step's mark was taken back, no key was moved. Fix or stop them,"
                        + " then run `kvstore-admin migrations " + cluster + " --resume`");
            }
            try {
                Thread.sleep(10); // clients of the frozen slots wait on this poll
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException.Conflict("interrupted while waiting for proxies");
            }
        }
        return t;
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

    /** Moves the keys of the step's slots, from several source groups at once. */
    private void moveKeys(Topology t, Set<Integer> step, KeyMover mover, ParallelSources sources) throws IOException {
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
        sources.run(bySource, (source, targets) -> mover.moveAll(withAuth(t.group(source).orElseThrow()), targets));
    }

    private Group withAuth(Group g) {
        return new Group(g.id(), g.master(), g.replicas(), auth);
    }
}
