package io.kvstore.proxy.failover;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.StorePaths;
import io.kvstore.proxy.health.BackendConfigReapply;
import io.kvstore.proxy.health.HealthOptions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;

/**
 * The failover controller of one cluster: its election and its threads. Every proxy started with
 * {@code --controller} runs one; a Curator leader latch on {@code controller/} elects the one that
 * acts ({@link Leadership}), the others wait. The leader, every {@code health-interval}, runs a
 * {@link FailoverRound}:
 *
 * <ol>
 *   <li>finishes every failover recorded under {@code failover/} that is not finished (one that a
 *       dead leader started, or one an operator asked for: {@link PlannedFailover});</li>
 *   <li>fails over a group whose master a quorum of proxies has seen down for {@code down-after}
 *       ({@link FailoverPlanner} decides): in data-store mode the best replica is promoted
 *       ({@link DataStorePromote}), in cache mode the group's slots go to the other groups
 *       ({@link CacheReassign});</li>
 *   <li>brings a failed or down group back when its master is up again for a quorum
 *       ({@link Rejoin});</li>
 *   <li>makes every listed replica that is up follow its group's master ({@link ReplicaReconciler}).</li>
 * </ol>
 *
 * <p>Leadership is checked right before every change to a redis-server and to ZooKeeper, and a
 * topology write also checks the latch node in its transaction ({@link LeaderStore}), so a
 * deposed controller stops at once and a late write of one whose session expired fails. Every
 * step is idempotent and recorded, so a new leader finishes what a dead one started.
 *
 * <p>Threads: one daemon thread ("kvstore-failover") does all of it, but the deletion of keys left
 * behind after a cache group rejoins, which runs on a second one ("kvstore-sweep"); Curator's
 * threads only flip the leadership flag. Blocking calls (ZooKeeper, redis-servers) are all bounded
 * by timeouts. Started and closed by the thread that owns the proxy's control side.
 */
public final class FailoverController implements AutoCloseable {

    /** How long a planned failover waits for the proxies to apply a new epoch before it goes on. */
    public static final long PROXY_WAIT_MS = 5_000;

    private final Leadership leadership;
    private final FailoverRound round;
    private final long intervalMs;
    private final ScheduledExecutorService thread = daemon("kvstore-failover");
    private final ExecutorService sweeper = daemon("kvstore-sweep");

    /** A controller whose failover steps nobody watches. */
    public FailoverController(CuratorFramework client, String cluster, String id, BackendAuth auth, HealthOptions options) {
        this(client, cluster, id, auth, options, FailoverSteps.NONE);
    }

    /** The same, telling {@code steps} after each step of a failover (tests stop a controller mid-failover with it). */
    public FailoverController(CuratorFramework client, String cluster, String id, BackendAuth auth, HealthOptions options,
                              FailoverSteps steps) {
        this.leadership = new Leadership(client, StorePaths.controller(cluster), cluster, id);
        this.intervalMs = options.intervalMs();
        LeaderStore zk = new LeaderStore(ClusterStore.using(client), cluster, leadership);
        NodeOps ops = new NodeOps(auth, Math.max(options.timeoutMs(), 1_000));
        BackendConfigReapply params = new BackendConfigReapply(client, cluster, auth);
        ReplicaReconciler reconciler = new ReplicaReconciler(ops, leadership);
        LeftoverSweep sweep = new LeftoverSweep(auth, options.timeoutMs(), zk::topology, leadership::isLeader);
        Tools tools = new Tools(zk, leadership, ops, params);
        RecordDriver driver = new RecordDriver(zk, id, steps == null ? FailoverSteps.NONE : steps, new RecordDriver.Procedures(
                new DataStorePromote(tools, reconciler),
                new CacheReassign(zk),
                new PlannedFailover(tools),
                new Rejoin(tools, options.autoRejoin(), sweep, sweeper)));
        this.round = new FailoverRound(zk, leadership, options, ops, driver, reconciler, params);
    }

    /** Joins the election and starts the rounds; returns at once. */
    public void start() {
        leadership.start();
        thread.scheduleWithFixedDelay(round, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** Whether this controller leads now (as far as it knows). */
    public boolean isLeader() {
        return leadership.isLeader();
    }

    @Override
    public void close() {
        leadership.resign();
        thread.shutdownNow();
        sweeper.shutdownNow();
        leadership.close();
    }

    private static ScheduledExecutorService daemon(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
