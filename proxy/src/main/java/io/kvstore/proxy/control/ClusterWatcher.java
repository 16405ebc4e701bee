package io.kvstore.proxy.control;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.SlotMap;
import io.kvstore.config.rewrite.RewriteRules;
import io.kvstore.config.rewrite.RewriteStore;
import io.kvstore.config.store.StoreException;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.TopologyCodec;
import io.kvstore.config.store.TopologyWatch;
import io.kvstore.config.store.Versioned;
import io.kvstore.proxy.route.ClusterState;
import java.io.Closeable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the cluster's topology node and applies each new epoch to the proxy. The watch that
 * each read leaves on the node ({@link TopologyWatch}), a reconnect and a periodic timer only give
 * <em>hints</em>; every hint leads to one fresh read of the node on the control thread (hints that
 * arrive while a read is queued are folded into it), so coalesced or missed events cannot leave
 * the proxy behind. That read is the only one of the node per change: the watch carries no data,
 * and the read re-arms it in the same request, so a change made after the read fires it. Nothing
 * here runs on a Netty event loop: the new map reaches the loops through {@link ClusterState}'s
 * volatile swap, and each loop picks it up on its next request.
 *
 * <p>The cluster's key rewrite rules are read after the topology on every read and installed
 * before the epoch is reported in the registration: the rules of an epoch are written with it in
 * one transaction ({@link RewriteStore}), so a proxy that reports epoch E uses E's rules.
 *
 * <p>Invariants: the applied epoch only grows; a topology that cannot be read (malformed, newer
 * format, deleted, older epoch) is reported and the last good map stays in use.
 */
final class ClusterWatcher implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterWatcher.class);

    private final CuratorFramework client;
    private final String cluster;
    private final BackendAuth auth;
    private final ClusterState state;
    private final ControlStatus status;
    private final Registration registration;
    private final ScheduledExecutorService control;
    private final Consumer<SlotMap> onApplied;
    private final AtomicBoolean queued = new AtomicBoolean();
    private volatile boolean closed;
    private final TopologyWatch topology;
    private String reported;

    ClusterWatcher(CuratorFramework client, String cluster, BackendAuth auth, ClusterState state, ControlStatus status,
                   Registration registration, ScheduledExecutorService control, Consumer<SlotMap> onApplied) {
        this.client = client;
        this.cluster = cluster;
        this.auth = auth;
        this.state = state;
        this.status = status;
        this.registration = registration;
        this.control = control;
        this.onApplied = onApplied;
        this.topology = new TopologyWatch(client, cluster, this::hint);
    }

    /** Starts watching; the first read happens at once. */
    void start(long resyncMillis) {
        control.scheduleWithFixedDelay(this::hint, resyncMillis, resyncMillis, TimeUnit.MILLISECONDS);
        hint();
    }

    /** Asks for a fresh read; cheap, any thread. */
    void hint() {
        if (!closed && queued.compareAndSet(false, true)) {
            try {
                control.execute(this::sync);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                queued.set(false);
            }
        }
    }

    /** Reads the topology and applies it if it is newer. On the control thread only. */
    private void sync() {
        queued.set(false);
        long applied = state.map().epoch();
        Versioned<byte[]> raw;
        try {
            raw = topology.read(); // and the watch for the next change
        } catch (StoreException.NotFound e) {
            problem("cluster " + cluster + " no longer exists in ZooKeeper; still routing by epoch " + applied);
            return;
        } catch (StoreException e) {
            if (client.getZookeeperClient().isConnected()) {
                problem("cannot read the topology: " + e.getMessage() + "; still routing by epoch " + applied);
            } else {
                // disconnected: the connection listener reports it, and the reconnect brings a new hint
                LOG.debug("cannot read the topology now: {}", e.getMessage());
            }
            return;
        }
        Topology topology;
        try {
            topology = TopologyCodec.decodeTopology(cluster, raw.value());
        } catch (StoreException.Malformed e) {
            problem(e.getMessage() + "; still routing by epoch " + applied);
            return;
        }
        RewriteRules rules;
        try {
            rules = new RewriteStore(client, cluster).read(); // after the topology: at least the rules written with its epoch
        } catch (StoreException e) {
            problem("cannot read the key rewrite rules: " + e.getMessage() + "; still routing by epoch " + applied);
            return; // an epoch is confirmed only with its rules in place
        }
        if (topology.epoch() < applied) {
            problem("ZooKeeper holds epoch " + topology.epoch() + " of cluster " + cluster + ", older than the applied epoch "
                    + applied + " (was the cluster deleted and created again?); restart this proxy to follow it");
            return;
        }
        state.rewrite(rules);
        if (topology.epoch() > applied) {
            SlotMap map = topology.slotMap(auth);
            if (state.update(map)) {
                LOG.info("applied slot map epoch {} of cluster {} ({} groups; was epoch {})",
                        map.epoch(), cluster, map.groups().size(), applied);
                onApplied.accept(map);
            }
        }
        state.strict(topology.mode() == io.kvstore.config.store.ClusterMode.DATASTORE);
        // Only while connected: a read answered just before a disconnect must not lift the fence
        // that the disconnect raised (ProxyControl), the reconnect's re-read does.
        if (state.fence() != null && client.getZookeeperClient().isConnected()) {
            LOG.info("re-read the topology of cluster {} (epoch {}) after the session loss; serving again", cluster, topology.epoch());
            state.unfence();
        }
        if (reported != null) {
            LOG.info("the topology of cluster {} is readable again (epoch {})", cluster, topology.epoch());
            reported = null;
        }
        status.applied(state.map().epoch());
        registration.publish(state.map().epoch(), null);
    }

    private void problem(String message) {
        if (!message.equals(reported)) {
            LOG.error(message);
            reported = message;
        }
        status.error(message);
        registration.publish(state.map().epoch(), message);
    }

    /** Hints stop; the watch left on the node goes with the ZooKeeper client, which ProxyControl closes next. */
    @Override
    public void close() {
        closed = true;
    }
}
