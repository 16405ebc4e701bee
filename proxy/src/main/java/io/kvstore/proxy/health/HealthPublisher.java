package io.kvstore.proxy.health;

import io.kvstore.config.store.HealthReport;
import io.kvstore.config.store.ProxyCodec;
import io.kvstore.config.store.StorePaths;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's ephemeral node {@code /kvstore/clusters/NAME/health/ID}: its latest
 * {@link HealthReport}. Kept present through session loss by Curator's {@link PersistentNode}
 * (it goes with the proxy: a dead proxy has no vote), rewritten in the background on each change.
 * Never blocks on ZooKeeper (the write is queued in the background). Thread-safe: the latest view
 * is an atomic reference, and the newest view is the last one written.
 */
public final class HealthPublisher implements Consumer<HealthReport>, Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthPublisher.class);

    private final PersistentNode node;
    private final AtomicReference<HealthReport> latest;
    private final String path;

    public HealthPublisher(CuratorFramework client, String cluster, HealthReport initial) {
        this.path = StorePaths.healthOf(cluster, initial.proxyId());
        this.latest = new AtomicReference<>(initial);
        this.node = new PersistentNode(client, CreateMode.EPHEMERAL, false, path, ProxyCodec.encodeHealth(initial));
        node.getListenable().addListener(created -> write());
    }

    public void start() {
        node.start();
    }

    @Override
    public void accept(HealthReport report) {
        latest.set(report);
        write();
    }

    /**
     * Sends the newest view. Synchronized so that reading the newest view and queueing its write
     * happen in one go: the writes reach ZooKeeper in the order they were queued, so the last one
     * carries the newest view. Without it, the creation listener and a check thread could each
     * read a view and queue it in the other order, leaving an older view in place for good.
     */
    private synchronized void write() {
        if (node.getActualPath() == null) {
            return; // not created yet: the creation listener writes the newest view
        }
        try {
            node.setData(ProxyCodec.encodeHealth(latest.get()));
        } catch (Exception e) {
            LOG.warn("cannot update the health view {}: {}", path, e.toString());
        }
    }

    @Override
    public void close() throws IOException {
        node.close();
    }
}
