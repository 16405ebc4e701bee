package io.kvstore.proxy.control;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotMap;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.HealthReport;
import io.kvstore.config.store.ProxyRecord;
import io.kvstore.config.store.StoreException;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.ZkSettings;
import io.kvstore.proxy.failover.FailoverController;
import io.kvstore.proxy.failover.FailoverSteps;
import io.kvstore.proxy.health.HealthMonitor;
import io.kvstore.proxy.health.HealthOptions;
import io.kvstore.proxy.health.HealthPublisher;
import io.kvstore.proxy.route.ClusterState;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's side of ZooKeeper: loads the cluster's topology at start-up, registers the proxy,
 * and follows changes ({@link ClusterWatcher}). Owns its Curator client and one daemon "control"
 * thread on which every blocking ZooKeeper read runs; Curator's own threads only pass hints.
 * Started and closed by the main thread.
 *
 * <p>Life cycle: {@link #start} connects in the background; {@link #awaitInitialMap} blocks
 * until a readable topology is there, saying in the log why it is still waiting; then
 * {@link #attach} registers the proxy and starts applying changes to its {@link ClusterState}.
 * While ZooKeeper is unreachable the proxy keeps routing by the last map it applied, and reads
 * again when the connection comes back. With health options, {@link #attach} also starts the
 * health checks (package {@code io.kvstore.proxy.health}) and the failover controller (package
 * {@code io.kvstore.proxy.failover}), which use this same Curator client on their own threads.
 */
public final class ProxyControl implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyControl.class);

    /** How often the topology is re-read even without a change event. */
    static final long RESYNC_MILLIS = 30_000;

    /** How often "still waiting" is logged while the first map cannot be loaded. */
    static final long WAIT_LOG_MILLIS = 10_000;
    /**
     * How long slots stay frozen in this proxy's map before it checks whether it may thaw them
     * itself (see {@link io.kvstore.config.store.FrozenStep}): longer than the driver normally
     * takes, well under the clients' hold limit.
     */
    static final long THAW_AFTER_MILLIS = 500;

    private final ZkSettings settings;
    private final String cluster;
    private final BackendAuth auth;
    private final ControlStatus status;
    private final CuratorFramework client;
    private final ScheduledExecutorService control;
    private volatile boolean closed;
    private volatile ClusterState attachedState;
    private long frozenEpoch = -1;      // control thread: the epoch of the frozen map seen last, and since when
    private long frozenSinceMillis;
    private volatile ClusterWatcher watcher;
    private Registration registration;
    private HealthPublisher healthPublisher;
    private volatile HealthMonitor healthMonitor;
    private volatile FailoverController failoverController;

    private ProxyControl(ZkSettings settings, String cluster, BackendAuth auth) {
        this.settings = settings;
        this.cluster = Topology.checkName("cluster name", cluster);
        this.auth = auth == null ? BackendAuth.NONE : auth;
        this.status = new ControlStatus(settings.connect(), cluster);
        this.client = settings.newClient();
        this.control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kvstore-zk-control");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts connecting to ZooKeeper in the background and returns at once.
     *
     * @param auth the credentials the proxy uses on every redis-server (not stored in ZooKeeper)
     */
    public static ProxyControl start(ZkSettings settings, String cluster, BackendAuth auth) {
        ProxyControl c = new ProxyControl(settings, cluster, auth);
        c.client.getConnectionStateListenable().addListener((cl, state) -> c.connectionChanged(state));
        c.client.start();
        LOG.info("connecting to {} for cluster {}", settings, cluster);
        return c;
    }

    public ControlStatus status() {
        return status;
    }

    /** The cluster store over this proxy's Curator client: where a client's CONFIG SET is recorded (backend-config). */
    public ClusterStore store() {
        return ClusterStore.using(client);
    }

    /** The Curator client, for tests. */
    CuratorFramework client() {
        return client;
    }

    /**
     * Blocks until the cluster's topology can be read, and returns its slot map. Says in the log
     * what it waits for (ZooKeeper unreachable, cluster not created, topology unreadable), at
     * once and then every {@value #WAIT_LOG_MILLIS} ms, and keeps it in {@link #status()}.
     *
     * @throws InterruptedException if interrupted or closed meanwhile
     */
    public SlotMap awaitInitialMap() throws InterruptedException {
        ClusterStore store = ClusterStore.using(client);
        long lastLog = 0;
        String lastReason = null;
        while (!closed) {
            String reason;
            if (!client.getZookeeperClient().isConnected()) {
                reason = "waiting for " + settings + ": not reachable yet, retrying; no client is served until it is";
                status.error(reason);
                if (client.blockUntilConnected(1, TimeUnit.SECONDS)) {
                    continue;
                }
            } else {
                try {
                    Topology t = store.read(cluster).value();
                    SlotMap map = t.slotMap(auth);
                    status.applied(map.epoch());
                    LOG.info("loaded cluster {} from {}: mode {}, epoch {}, {} groups", cluster, settings.connect(),
                            t.mode(), t.epoch(), t.groups().size());
                    return map;
                } catch (StoreException.NotFound e) {
                    reason = "cluster " + cluster + " does not exist in ZooKeeper at " + settings.connect()
                            + "; waiting for it to be created (kvstore-admin --zk " + settings.connect() + " cluster create "
                            + cluster + " ...)";
                } catch (StoreException e) {
                    reason = "cannot load cluster " + cluster + ": " + e.getMessage() + "; retrying";
                }
                status.error(reason);
                Thread.sleep(500);
            }
            long now = System.currentTimeMillis();
            if (!reason.equals(lastReason) || now - lastLog >= WAIT_LOG_MILLIS) {
                LOG.warn(reason);
                lastLog = now;
                lastReason = reason;
            }
        }
        throw new InterruptedException("closed while waiting for the first slot map");
    }

    /**
     * Registers the proxy under {@code announce} and starts applying topology changes to
     * {@code state}; {@code onApplied} is called on the control thread after each new map is in
     * place (for example to let idle event loops drop connections to groups that left).
     */
    public synchronized void attach(ClusterState state, HostPort announce, String software, Consumer<SlotMap> onApplied) {
        attach(state, announce, software, onApplied, HealthOptions.OFF, null);
    }

    /**
     * The same, and with {@code health.checks()} also checks every redis-server of the map and
     * publishes what it sees ({@link HealthMonitor}), and with {@code health.controller()} runs for
     * leader of the cluster's {@link FailoverController}. {@code prober} replaces the PING checks
     * (tests); null for the real ones.
     */
    public synchronized void attach(ClusterState state, HostPort announce, String software, Consumer<SlotMap> onApplied,
                                    HealthOptions health, HealthMonitor.Prober prober) {
        attach(state, announce, software, onApplied, health, prober, FailoverSteps.NONE);
    }

    /** The same, the failover controller telling {@code steps} after each step of a failover (tests). */
    public synchronized void attach(ClusterState state, HostPort announce, String software, Consumer<SlotMap> onApplied,
                                    HealthOptions health, HealthMonitor.Prober prober, FailoverSteps steps) {
        if (watcher != null) {
            throw new IllegalStateException("already attached");
        }
        long epoch = state.map().epoch();
        ProxyRecord me = new ProxyRecord(announce.toString(), announce, System.currentTimeMillis(), epoch,
                System.currentTimeMillis(), status.lastError(), software);
        attachedState = state;
        registration = new Registration(client, cluster, me);
        registration.start();
        watcher = new ClusterWatcher(client, cluster, auth, state, status, registration, control, onApplied);
        watcher.start(RESYNC_MILLIS);
        control.scheduleWithFixedDelay(this::thawIfStuck, THAW_AFTER_MILLIS / 2, THAW_AFTER_MILLIS / 2, TimeUnit.MILLISECONDS);
        if (health.checks()) {
            String id = me.id();
            healthPublisher = new HealthPublisher(client, cluster, new HealthReport(id, epoch, System.currentTimeMillis(), Map.of()));
            healthPublisher.start();
            healthMonitor = new HealthMonitor(state::map, id, health,
                    prober != null ? prober : HealthMonitor.pinger(auth, health.timeoutMs()), healthPublisher);
            healthMonitor.start();
            if (health.controller()) {
                failoverController = new FailoverController(client, cluster, id, auth, health, steps);
                failoverController.start();
            }
        }
    }

    /** The health checks, or null when they are off. */
    public HealthMonitor healthMonitor() {
        return healthMonitor;
    }

    /** This proxy's failover controller, or null when it runs none. */
    public FailoverController failoverController() {
        return failoverController;
    }

    /**
     * When this proxy's map has had frozen slots for {@link #THAW_AFTER_MILLIS}, the resharding
     * driver that should thaw them may be gone: thaw them if every proxy has confirmed the mark,
     * so that their clients are not refused until someone resumes the migration.
     */
    private void thawIfStuck() {
        ClusterState state = attachedState;
        if (closed || state == null) {
            return;
        }
        SlotMap map = state.map();
        long now = System.currentTimeMillis();
        if (!map.hasFrozen()) {
            frozenEpoch = -1;
        } else if (map.epoch() != frozenEpoch) {
            frozenEpoch = map.epoch();
            frozenSinceMillis = now;
        } else if (now - frozenSinceMillis >= THAW_AFTER_MILLIS && client.getZookeeperClient().isConnected()) {
            try {
                Topology t = io.kvstore.config.store.FrozenStep.thawIfConfirmed(ClusterStore.using(client), cluster);
                if (t.frozen().isEmpty()) {
                    LOG.info("thawed the frozen slots of cluster {} at epoch {}: every proxy had the mark", cluster, t.epoch());
                }
            } catch (RuntimeException e) {
                LOG.debug("cannot thaw the frozen slots yet: {}", e.toString());
            }
        }
    }

    private void connectionChanged(ConnectionState state) {
        long epoch = status.appliedEpoch();
        switch (state) {
            case CONNECTED, RECONNECTED -> {
                status.connection(ControlStatus.Connection.CONNECTED);
                LOG.info("connected to {}{}", settings, state == ConnectionState.RECONNECTED ? "; re-reading the topology" : "");
                ClusterWatcher w = watcher;
                if (w != null) {
                    w.hint();
                }
            }
            case SUSPENDED -> {
                status.connection(ControlStatus.Connection.SUSPENDED);
                // Not LOST yet, but the server may expire the session before this client declares it
                // lost (Curator does so a whole session timeout after the disconnect, the server
                // a session timeout after the last heartbeat): our registration may already be gone.
                fenceIfStrict("kvstore proxy lost contact with ZooKeeper; its slot map may be stale. Retry on another proxy");
                status.error("lost contact with " + settings + "; routing by epoch " + epoch + " until it is back");
                LOG.warn("lost contact with {}; routing by the slot map of epoch {} until it is back", settings, epoch);
            }
            case LOST -> {
                status.connection(ControlStatus.Connection.LOST);
                fenceIfStrict("kvstore proxy lost its ZooKeeper session; its slot map may be stale. Retry on another proxy");
                status.error("ZooKeeper session lost (" + settings + "); routing by epoch " + epoch + ", reconnecting");
                LOG.warn("ZooKeeper session lost; routing by epoch {}; the registration comes back with the connection", epoch);
            }
            case READ_ONLY -> status.connection(ControlStatus.Connection.SUSPENDED);
            default -> {
            }
        }
    }

    /**
     * In a data-store cluster, refuses keyed commands until the topology is re-read after the
     * connection is back: our registration may be gone, so a migration may start without us, and
     * serving keys by an old map could write where a key no longer belongs.
     */
    private void fenceIfStrict(String why) {
        ClusterState s = attachedState;
        if (s != null && s.strict()) {
            s.fence(why);
            LOG.warn("data-store cluster: refusing keyed commands until the topology is re-read");
        }
    }

    /** Deregisters (the ephemeral node goes at once, not after the session timeout) and disconnects. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ClusterState state = attachedState;
        if (state != null) {
            // Refuse keys before leaving ZooKeeper: once this proxy is no longer registered a
            // migration step may start without waiting for it, so it must serve no key after that.
            state.fence("this proxy is stopping");
        }
        if (failoverController != null) {
            failoverController.close();
        }
        if (healthMonitor != null) {
            healthMonitor.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        if (healthPublisher != null && client.getZookeeperClient().isConnected()) {
            try {
                healthPublisher.close();
            } catch (Exception e) {
                LOG.warn("cannot remove the health view: {}", e.toString());
            }
        }
        if (registration != null && client.getZookeeperClient().isConnected()) {
            // Without a connection the delete would wait out every retry; the ephemeral node
            // goes with the session anyway.
            try {
                registration.close();
            } catch (Exception e) {
                LOG.warn("cannot remove the registration: {}", e.toString());
            }
        }
        control.shutdownNow();
        client.close();
        status.connection(ControlStatus.Connection.CLOSED);
    }
}
