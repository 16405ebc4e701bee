package io.kvstore.proxy.health;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotHash;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.StoreException;
import io.kvstore.config.store.StorePaths;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.Versioned;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failover controller of one cluster. Every proxy started with {@code --controller} runs one;
 * a Curator {@link LeaderLatch} on {@code controller/} elects the one that acts, the others wait.
 * The leader, every {@code health-interval}, reads the topology, the live proxies and their health
 * views, and:
 *
 * <ol>
 *   <li>finishes every failover recorded under {@code failover/} that is not finished (one that a
 *       dead leader started, or one an operator asked for);</li>
 *   <li>fails over a group whose master a quorum of proxies has seen down for {@code down-after}:
 *       in data-store mode the reachable replica with the highest replication offset is promoted
 *       ({@code REPLICAOF NO ONE}), the others follow it, and the new master is published in one
 *       epoch (with no replica, the group is marked down: {@code -CLUSTERDOWN} for its slots); in
 *       cache mode its slots go to the other groups in one epoch;</li>
 *   <li>brings a failed or down group back when its master is up again for a quorum (a cache
 *       master is flushed first);</li>
 *   <li>makes every listed replica that is up follow its group's master (this is how an old master
 *       that returns becomes a replica of the new one: proxies never route to replicas).</li>
 * </ol>
 *
 * <p>Leadership: the latch drops it on SUSPENDED and LOST. The controller checks it right before
 * every change to a redis-server and to ZooKeeper, and writes the topology in a transaction that
 * also checks its latch node still exists, so a deposed controller stops at once and a late write
 * of one whose session expired fails. Every step is idempotent and recorded, so a new leader
 * finishes what a dead one started.
 *
 * <p>Threads: one daemon thread ("kvstore-failover") does all of it, but the deletion of keys left
 * behind after a cache group rejoins, which runs on a second one ("kvstore-sweep"); Curator's
 * threads only flip the leadership flag. Blocking calls (ZooKeeper, redis-servers) are all bounded
 * by timeouts.
 */
public final class FailoverController implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FailoverController.class);

    /** Finished failover records kept for {@code kvstore-admin status}. */
    static final int KEEP_RECORDS = 50;

    /** How long a planned failover pauses the old master's writes at most (it unpauses itself if we die). */
    static final long PLANNED_PAUSE_MS = 10_000;

    /** How long a planned failover waits for proxies to apply the new master before unpausing. */
    static final long PROXY_WAIT_MS = 5_000;

    /** How often each up replica's replication is checked. */
    static final long RECONCILE_EVERY_MS = 3_000;

    /** How often each master's replication offset is sampled (for the lost-writes estimate). */
    static final long OFFSET_EVERY_MS = 1_000;

    /** Thrown by {@link #checkLeader()}: this controller must stop acting now. */
    static final class NotLeader extends RuntimeException {
        NotLeader() {
            super("no longer the leader", null, false, false);
        }
    }

    /** Called after each step of a failover, for tests (and for the test-only pause, see {@link #STEP_PAUSE}). */
    public interface StepHook {
        void after(String step, FailoverRecord record);
    }

    /**
     * Test-only: {@code -Dkvstore.failover.pause-after=STEP:MS} sleeps MS after STEP ({@code promoted},
     * {@code chosen}, {@code flushed}, {@code caught-up}), so a test can kill the controller mid-failover.
     */
    static final String STEP_PAUSE = "kvstore.failover.pause-after";

    private final ClusterStore store;
    private final String cluster;
    private final String id;
    private final HealthOptions options;
    private final NodeOps ops;
    private final LeaderLatch latch;
    private final ScheduledExecutorService thread;
    private final ExecutorService sweeper;
    private final BackendAuth auth;
    private final BackendConfigReapply params; // controller thread only
    private final Map<HostPort, Long> masterOffset = new HashMap<>();    // controller thread only
    private final Map<HostPort, Long> offsetSampledAt = new HashMap<>(); // controller thread only
    private final Map<HostPort, Long> replicaCheckedAt = new HashMap<>(); // controller thread only
    private final Set<String> finished = new HashSet<>();                 // controller thread only: ids of finished records
    private volatile boolean leader;
    private volatile boolean closed;
    private volatile StepHook hook = (step, record) -> { };
    private long rounds;
    private String lastProblem;

    public FailoverController(CuratorFramework client, String cluster, String id, BackendAuth auth, HealthOptions options) {
        this.store = ClusterStore.using(client);
        this.cluster = cluster;
        this.id = id;
        this.options = options;
        this.auth = auth;
        this.ops = new NodeOps(auth, Math.max(options.timeoutMs(), 1_000));
        this.params = new BackendConfigReapply(client, cluster, auth);
        this.sweeper = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kvstore-sweep");
            t.setDaemon(true);
            return t;
        });
        this.latch = new LeaderLatch(client, StorePaths.controller(cluster), id, LeaderLatch.CloseMode.SILENT);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kvstore-failover");
            t.setDaemon(true);
            return t;
        });
    }

    /** Joins the election and starts the rounds; returns at once. */
    public void start() {
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                leader = true;
                LOG.info("this proxy ({}) now leads failover for cluster {}", id, cluster);
            }

            @Override
            public void notLeader() {
                leader = false;
                LOG.info("this proxy ({}) no longer leads failover for cluster {}", id, cluster);
            }
        });
        try {
            latch.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot join the controller election of cluster " + cluster, e);
        }
        thread.scheduleWithFixedDelay(this::round, options.intervalMs(), options.intervalMs(), TimeUnit.MILLISECONDS);
    }

    public void onStep(StepHook h) {
        this.hook = h == null ? (step, record) -> { } : h;
    }

    /** Whether this controller leads now (as far as it knows). */
    public boolean isLeader() {
        return leader && !closed && latch.hasLeadership();
    }

    private void checkLeader() {
        if (!isLeader()) {
            throw new NotLeader();
        }
    }

    // ---------------------------------------------------------------- the round

    private void round() {
        if (!isLeader()) {
            return;
        }
        try {
            act();
            lastProblem = null;
            if (++rounds % 100 == 0) {
                store.pruneFailovers(cluster, KEEP_RECORDS);
            }
        } catch (NotLeader e) {
            LOG.warn("lost the leadership of cluster {} in the middle of a round: stopped at once", cluster);
        } catch (StoreException e) {
            if (!e.getMessage().equals(lastProblem)) { // said once, not every round
                LOG.warn("failover round for cluster {}: {}", cluster, e.getMessage());
                lastProblem = e.getMessage();
            }
        } catch (RuntimeException e) {
            LOG.error("failover round for cluster {} failed", cluster, e);
        }
    }

    private void act() {
        long now = System.currentTimeMillis();
        Topology t = store.read(cluster).value();
        List<ClusterStore.Registration> proxies = store.proxies(cluster);
        List<String> live = proxies.stream().map(ClusterStore.Registration::id).toList();
        Quorum q = Quorum.judge(live, store.healthReports(cluster), now, options.downAfterMs(), options.intervalMs(),
                options.quorum());

        boolean drove = false;
        for (String rid : store.failoverIds(cluster)) {
            if (finished.contains(rid)) {
                continue; // a finished record never changes: not read again
            }
            Optional<Versioned<FailoverRecord>> v = store.failover(cluster, rid);
            if (v.isEmpty()) {
                continue;
            }
            if (v.get().value().state().finished()) {
                finished.add(rid);
            } else {
                drive(v.get());
                drove = true;
            }
        }
        if (drove) {
            return; // look again with fresh state next round
        }
        for (Group g : t.groups()) {
            GroupState st = t.state(g.id());
            switch (st) {
                case ACTIVE, DRAINING -> {
                    if (q.down(g.master())) {
                        LOG.warn("master {} of group {} is down for {} of {} proxies for {} ms: failing over",
                                g.master(), g.id(), q.downVotes(g.master()), q.voters(), options.downAfterMs());
                        startAuto(t, g);
                        return;
                    }
                }
                case FAILING_OVER -> {
                    // a planned failover whose record is gone: fail over if its master died, else undo the mark
                    if (q.down(g.master())) {
                        startAuto(t, g);
                    } else {
                        write(x -> x.state(g.id()) == GroupState.FAILING_OVER ? x.withGroupState(g.id(), GroupState.ACTIVE) : x);
                    }
                    return;
                }
                case FAILED, DOWN -> {
                    if (q.up(g.master()) && allApplied(proxies, t.epoch())) {
                        startRejoin(t, g);
                        return;
                    }
                    if (!q.up(g.master()) && retryable(t, g)) {
                        startAuto(t, g);
                        return;
                    }
                }
                default -> {
                }
            }
        }
        reconcile(t, q, now);
        params.sweep(t, q::up);
    }

    /** A failed or down group whose master is still away, that a new failover could serve again. */
    private boolean retryable(Topology t, Group g) {
        if (t.mode() == ClusterMode.CACHE) {
            // down (no group to take its slots) while another group is active again: give them away now
            return t.state(g.id()) == GroupState.DOWN
                    && t.groups().stream().anyMatch(o -> !o.id().equals(g.id()) && t.state(o.id()) == GroupState.ACTIVE);
        }
        for (HostPort r : g.replicas()) {
            try {
                ops.replication(r);
                return true; // a replica answers: it can be promoted
            } catch (IOException unreachable) {
                // try the next one
            }
        }
        return false;
    }

    private static boolean allApplied(List<ClusterStore.Registration> proxies, long epoch) {
        return proxies.stream().allMatch(r -> r.proxy() != null && r.proxy().appliedEpoch() >= epoch);
    }

    private void startAuto(Topology t, Group g) {
        checkLeader();
        FailoverRecord r = FailoverRecord.start(g.id(), FailoverRecord.Kind.AUTO, t.mode(), g.master(), null, t.epoch(),
                System.currentTimeMillis(), id);
        drive(store.createFailover(cluster, r));
    }

    private void startRejoin(Topology t, Group g) {
        checkLeader();
        LOG.info("master {} of {} group {} is up again for a quorum of proxies: bringing the group back",
                g.master(), t.state(g.id()), g.id());
        FailoverRecord r = FailoverRecord.start(g.id(), FailoverRecord.Kind.REJOIN, t.mode(), g.master(), g.master(),
                t.epoch(), System.currentTimeMillis(), id);
        drive(store.createFailover(cluster, r));
    }

    // ---------------------------------------------------------------- driving one record

    /** A record being driven: each save is a compare-and-set on the version read, after a leadership check. */
    private final class Run {
        Versioned<FailoverRecord> v;

        Run(Versioned<FailoverRecord> v) {
            this.v = v;
        }

        FailoverRecord r() {
            return v.value();
        }

        void save(FailoverRecord next) {
            checkLeader();
            v = store.updateFailover(cluster, next, v.version());
        }

        void step(String name) {
            hook.after(name, r());
            testPause(name);
        }

        void done(long epoch, String what) {
            save(r().done(epoch, System.currentTimeMillis(), what));
            LOG.warn("failover {} of group {} ({} {}): {}", r().id(), r().group(), r().kind().wireName(), r().mode(), what);
            step("done");
        }

        void fail(String why) {
            save(r().failed(System.currentTimeMillis(), why));
            LOG.error("failover {} of group {} ({}) stopped: {}", r().id(), r().group(), r().kind().wireName(), why);
            step("failed");
        }
    }

    private void drive(Versioned<FailoverRecord> v) {
        Run run = new Run(v);
        FailoverRecord r = run.r();
        if (r.state() == FailoverRecord.State.REQUESTED) {
            run.save(r.runBy(id, "picked up by controller " + id));
        } else if (!r.by().equals(id)) {
            run.save(r.runBy(id, "taken over by controller " + id + " from " + r.by() + " (last step: " + r.note() + ")"));
            LOG.warn("taking over failover {} of group {} from controller {}", r.id(), r.group(), r.by());
        }
        Topology t = store.read(cluster).value();
        if (t.group(r.group()).isEmpty()) {
            run.fail("group " + r.group() + " is no longer in the cluster");
            return;
        }
        switch (r.kind()) {
            case AUTO -> {
                if (t.mode() == ClusterMode.DATASTORE) {
                    promoteBest(run, t);
                } else {
                    giveSlotsAway(run, t);
                }
            }
            case REJOIN -> rejoin(run, t);
            case PLANNED -> planned(run, t);
            default -> throw new IllegalStateException(r.kind().toString());
        }
    }

    /** Data-store mode: promote the reachable replica with the highest offset and publish it. */
    private void promoteBest(Run run, Topology t) {
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
        if (best == null) {
            write(x -> x.state(g.id()) == GroupState.DOWN || !x.group(g.id()).orElseThrow().master().equals(r.oldMaster())
                    ? x : x.withGroupState(g.id(), GroupState.DOWN));
            run.fail("no reachable replica to promote: group " + g.id() + " is down (its slots answer -CLUSTERDOWN)"
                    + " until its master or a replica is back");
            return;
        }
        HostPort cand = best.address();
        Long last = masterOffset.get(r.oldMaster());
        long lost = best.master() ? r.lostBytes() : last == null || best.offset() < 0 ? -1 : Math.max(0, last - best.offset());
        run.save(r.chose(cand, lost, "promoting " + cand + " (offset " + best.offset() + ")"));
        run.step("chosen");
        if (!best.master()) {
            checkLeader();
            try {
                ops.promote(cand);
            } catch (IOException e) {
                run.fail("cannot promote " + cand + ": " + e.getMessage() + "; trying again next round");
                return;
            }
        }
        params.before(cand);
        run.save(run.r().note("promoted " + cand + "; repointing the other replicas"));
        run.step("promoted");
        List<HostPort> replicas = new ArrayList<>();
        for (HostPort a : g.replicas()) {
            if (a.equals(cand)) {
                continue;
            }
            replicas.add(a);
            checkLeader();
            try {
                ops.follow(a, cand);
            } catch (IOException e) {
                LOG.warn("replica {} does not follow {} yet ({}); it will when it is back", a, cand, e.toString());
            }
        }
        if (!replicas.contains(r.oldMaster())) {
            replicas.add(r.oldMaster()); // made a replica of the new master when it returns
        }
        Topology after = write(x -> {
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

    /** Cache mode: the group's slots go to the other active groups in one epoch. */
    private void giveSlotsAway(Run run, Topology t) {
        FailoverRecord r = run.r();
        Group g = t.group(r.group()).orElseThrow();
        if (!g.master().equals(r.oldMaster())) {
            run.fail("the master of group " + g.id() + " was changed meanwhile, to " + g.master());
            return;
        }
        if (t.state(g.id()) == GroupState.FAILED) {
            run.done(t.epoch(), "already failed: its slots are served by the other groups");
            return;
        }
        List<SlotRange> owned = t.ranges().stream().filter(x -> x.groupId().equals(g.id())).toList();
        if (run.r().slots().isEmpty() && !owned.isEmpty()) {
            run.save(run.r().withSlots(owned, "giving " + t.slotCount(g.id()) + " slots to the other groups"));
        }
        Topology after = write(x -> x.state(g.id()) == GroupState.FAILED ? x : x.withGroupFailed(g.id()));
        run.done(after.epoch(), after.state(g.id()) == GroupState.FAILED
                ? "its " + t.slotCount(g.id()) + " slots now belong to the other active groups (misses until refilled)"
                : "no other active group: the cluster answers -CLUSTERDOWN until a master is back");
    }

    /** A failed or down group's master is back: flush it (cache), then serve again. */
    private void rejoin(Run run, Topology t) {
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
                checkLeader();
                ops.flushAll(g.master()); // never serve what it held before it failed
                run.save(run.r().note("flushed " + g.master()));
                run.step("flushed");
            }
        } catch (IOException e) {
            run.fail(g.master() + " is unreachable again: " + e.getMessage());
            return;
        }
        params.before(g.master());
        boolean share = cache && options.autoRejoin();
        List<SlotRange> former = formerSlots(g.id());
        Topology after = write(x -> x.state(g.id()) == GroupState.ACTIVE ? x : x.withGroupRejoined(g.id(), share, former));
        if (share) {
            sweepLeftovers(t, after, g.id());
        }
        run.done(after.epoch(), (cache ? "flushed and active again" : "active again") + (share
                ? " with " + after.slotCount(g.id()) + " slots"
                : after.slotCount(g.id()) == 0 ? " with no slots: give it some with kvstore-admin rebalance" : ""));
    }

    /**
     * An operator's failover: pause the master's writes, wait until the target has every byte of
     * them, promote it, make the others (old master included) follow it, publish it, wait for
     * the proxies, unpause. No acknowledged write is lost; writes that waited in the pause get
     * an error (the old master is a read-only replica by then), never a silent loss.
     */
    private void planned(Run run, Topology t) {
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
        HostPort target = r.newMaster();
        try {
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
                    return;
                }
                target = best.address();
            } else if (!g.replicas().contains(target)) {
                run.fail(target + " is not a replica of group " + g.id() + " (replicas: " + g.replicas() + ")");
                return;
            }
            NodeOps.Replication tr = ops.replication(target);
            if (tr.master()) {
                // A controller died after promoting it, before publishing: the old master may have taken
                // writes since its pause ended. It has them all, so go back to it rather than lose them.
                checkLeader();
                ops.follow(target, old);
                write(x -> x.state(g.id()) == GroupState.FAILING_OVER ? x.withGroupState(g.id(), GroupState.ACTIVE) : x);
                run.fail("interrupted after " + target + " was promoted; rolled back (it follows " + old
                        + " again, nothing lost): ask for the failover again");
                return;
            }
            if (!old.equals(tr.masterOf()) || !tr.linkUp()) {
                run.fail(target + " is not in sync with " + old + " (link " + (tr.linkUp() ? "up" : "down") + ")");
                return;
            }
            HostPort to = target;
            run.save(r.chose(to, 0, "pausing writes on " + old));
            Topology marked = write(x -> x.state(g.id()) == GroupState.ACTIVE ? x.withGroupState(g.id(), GroupState.FAILING_OVER) : x);
            // Every proxy applies the mark before the pause. Applying an epoch waits until the
            // requests routed by the older map are answered (ProxyServer.mapChanged), and writes
            // already on a paused master are answered only when the pause ends: a proxy still
            // applying the mark when the pause began held the switch's epoch back until
            // awaitProxies gave up, 5 s of paused writes (found by scripts/chaos.sh).
            awaitProxies(marked.epoch());
            checkLeader();
            ops.pauseWrites(old, PLANNED_PAUSE_MS);
            long deadline = System.currentTimeMillis() + PLANNED_PAUSE_MS / 2;
            while (true) {
                long masterAt = ops.replication(old).offset();
                long replicaAt = ops.replication(to).offset();
                if (replicaAt >= masterAt) {
                    break;
                }
                if (System.currentTimeMillis() > deadline) {
                    ops.unpause(old);
                    write(x -> x.state(g.id()) == GroupState.FAILING_OVER ? x.withGroupState(g.id(), GroupState.ACTIVE) : x);
                    run.fail(to + " did not catch up with " + old + " (offset " + replicaAt + " of " + masterAt
                            + ") within " + PLANNED_PAUSE_MS / 2 + " ms; writes resumed on " + old + ", nothing changed");
                    return;
                }
                checkLeader();
                sleep(10);
            }
            run.step("caught-up");
            checkLeader();
            ops.promote(to);
            params.before(to);
            run.save(run.r().note("promoted " + to + "; repointing the others"));
            run.step("promoted");
            List<HostPort> replicas = new ArrayList<>();
            for (HostPort a : g.replicas()) {
                if (!a.equals(to)) {
                    replicas.add(a);
                    checkLeader();
                    try {
                        ops.follow(a, to);
                    } catch (IOException e) {
                        LOG.warn("replica {} does not follow {} yet ({}); it will when it is back", a, to, e.toString());
                    }
                }
            }
            checkLeader();
            ops.follow(old, to); // still paused: what waits there fails as a write to a replica
            replicas.add(old);
            Topology after = write(x -> {
                HostPort m = x.group(g.id()).orElseThrow().master();
                return m.equals(to) ? x : x.withMaster(g.id(), to, replicas);
            });
            // Unpause first, then wait for the proxies: the old master is a replica already, so
            // what waited in the pause fails with -READONLY and nothing runs there as on a master.
            // Waiting first was circular under load: a proxy reports an epoch only once the
            // requests it routed by the older map are answered, and those on the old master were
            // held by the pause until awaitProxies gave up (5 s of paused writes; chaos.sh).
            try {
                ops.unpause(old);
            } catch (IOException e) {
                LOG.warn("cannot unpause {} ({}); its pause ends by itself", old, e.toString());
            }
            awaitProxies(after.epoch());
            run.done(after.epoch(), "planned: " + to + " is master, " + old + " follows it; no acknowledged write lost");
        } catch (IOException e) {
            try {
                ops.unpause(old);
            } catch (IOException ignored) {
                // its pause ends by itself
            }
            write(x -> x.state(g.id()) == GroupState.FAILING_OVER
                    && x.group(g.id()).orElseThrow().master().equals(old) ? x.withGroupState(g.id(), GroupState.ACTIVE) : x);
            run.fail("a redis-server failed during the planned failover: " + e.getMessage());
        }
    }

    private void awaitProxies(long epoch) {
        long deadline = System.currentTimeMillis() + PROXY_WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (allApplied(store.proxies(cluster), epoch)) {
                return;
            }
            checkLeader();
            sleep(20);
        }
        LOG.warn("not every proxy applied epoch {} within {} ms; going on", epoch, PROXY_WAIT_MS);
    }

    /** The slots the group owned before its last failover (cache mode), as recorded; empty if unknown. */
    private List<SlotRange> formerSlots(String groupId) {
        List<String> ids = store.failoverIds(cluster);
        for (int i = ids.size() - 1; i >= 0; i--) {
            Optional<Versioned<FailoverRecord>> v = store.failover(cluster, ids.get(i));
            if (v.isPresent() && v.get().value().group().equals(groupId) && v.get().value().kind() == FailoverRecord.Kind.AUTO) {
                return v.get().value().slots();
            }
        }
        return List.of();
    }

    /**
     * In the background, deletes from the groups that gave slots back to {@code rejoined} the keys
     * they were given for those slots while it was away ({@link LeftoverSweep}).
     */
    private void sweepLeftovers(Topology before, Topology after, String rejoined) {
        Map<String, boolean[]> byGiver = new HashMap<>();
        for (int slot = 0; slot < SlotHash.SLOTS; slot++) {
            String was = before.owner(slot);
            if (!was.equals(rejoined) && after.owner(slot).equals(rejoined)) {
                byGiver.computeIfAbsent(was, x -> new boolean[SlotHash.SLOTS])[slot] = true;
            }
        }
        LeftoverSweep sweep = new LeftoverSweep(auth, options.timeoutMs(), () -> store.read(cluster).value(), this::isLeader);
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

    // ---------------------------------------------------------------- keeping replicas in line

    /**
     * Every replica listed in an active group that a quorum sees up must follow the group's master,
     * and the master must be one; the controller makes it so (an old master that returned, a
     * replica that missed a repoint, a master restarted as a replica). Also samples each master's
     * offset, for the estimate of what a failover loses.
     */
    private void reconcile(Topology t, Quorum q, long now) {
        for (Group g : t.groups()) {
            if (t.state(g.id()) != GroupState.ACTIVE && t.state(g.id()) != GroupState.DRAINING) {
                continue;
            }
            if (now - offsetSampledAt.getOrDefault(g.master(), 0L) >= OFFSET_EVERY_MS) {
                offsetSampledAt.put(g.master(), now);
                try {
                    NodeOps.Replication m = ops.replication(g.master());
                    if (m.master()) {
                        masterOffset.put(g.master(), m.offset());
                    } else {
                        // The topology is the truth: a listed master that follows someone (restarted with
                        // --replicaof by a script, say) would leave its group without a writable master.
                        checkLeader();
                        LOG.warn("{} is the master of group {} but follows {}: making it a master again", g.master(), g.id(),
                                m.masterOf());
                        ops.promote(g.master());
                    }
                } catch (IOException unreachable) {
                    // the health checks judge that
                }
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
                try {
                    NodeOps.Replication rep = ops.replication(r);
                    if (rep.master() || !g.master().equals(rep.masterOf())) {
                        checkLeader();
                        LOG.warn("{} is listed as a replica of group {} but {}: making it follow {}", r, g.id(),
                                rep.master() ? "is a master" : "follows " + rep.masterOf(), g.master());
                        ops.follow(r, g.master());
                    }
                } catch (IOException e) {
                    LOG.debug("cannot check replica {}: {}", r, e.toString());
                }
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Writes the topology, only while this controller leads (checked here and by ZooKeeper, in the transaction). */
    private Topology write(UnaryOperator<Topology> change) {
        checkLeader();
        String guard = latch.getOurPath();
        if (guard == null) {
            throw new NotLeader();
        }
        return store.update(cluster, x -> {
            checkLeader();
            return change.apply(x);
        }, guard).value();
    }

    private static void testPause(String step) {
        String spec = System.getProperty(STEP_PAUSE);
        if (spec == null || !spec.startsWith(step + ":")) {
            return;
        }
        long ms = Long.parseLong(spec.substring(step.length() + 1));
        LOG.warn("test pause: sleeping {} ms after step {}", ms, step);
        sleep(ms);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotLeader();
        }
    }

    @Override
    public void close() {
        closed = true;
        leader = false;
        thread.shutdownNow();
        sweeper.shutdownNow();
        try {
            latch.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot leave the controller election cleanly: {}", e.toString());
        }
    }
}
