package io.kvstore.proxy.control;

import io.kvstore.config.store.ProxyCodec;
import io.kvstore.config.store.ProxyRecord;
import io.kvstore.config.store.StorePaths;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's ephemeral node {@code /kvstore/clusters/NAME/proxies/ID}: kept present through
 * connection and session loss by Curator's {@link PersistentNode}, and rewritten whenever the
 * applied epoch or the error changes. Never blocks: writes go out in the background. Thread-safe:
 * the latest record is held in an atomic reference and whoever publishes last wins.
 */
final class Registration implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(Registration.class);

    private final PersistentNode node;
    private final AtomicReference<ProxyRecord> latest;
    private final String path;

    Registration(CuratorFramework client, String cluster, ProxyRecord initial) {
        this.path = StorePaths.proxy(cluster, initial.id());
        this.latest = new AtomicReference<>(initial);
        this.node = new PersistentNode(client, CreateMode.EPHEMERAL, false, path, ProxyCodec.encodeProxy(initial));
        // (re)created: make sure it holds the newest record, not the one it was created with
        node.getListenable().addListener(created -> write());
    }

    /**
     * Creates the node, waiting (bounded) until it exists: a proxy serves keys only once it is
     * registered, so that a migration step started from then on waits for it.
     */
    void start() {
        node.start();
        LOG.info("registering this proxy as {}", path);
        try {
            if (!node.waitForInitialCreate(10, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.warn("registration {} not created yet; keys stay refused until it is", path);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records that {@code epoch} is applied, with the current problem or null. */
    void publish(long epoch, String error) {
        ProxyRecord before = latest.get();
        if (before.appliedEpoch() == epoch && java.util.Objects.equals(before.error(), error)) {
            return;
        }
        latest.updateAndGet(r -> r.applied(epoch, System.currentTimeMillis(), error));
        write();
    }

    ProxyRecord record() {
        return latest.get();
    }

    private void write() {
        if (node.getActualPath() == null) {
            return; // not created yet: the creation listener writes the newest record
        }
        try {
            node.setData(ProxyCodec.encodeProxy(latest.get()));
        } catch (Exception e) {
            LOG.warn("cannot update the registration {}: {}", path, e.toString());
        }
    }

    @Override
    public void close() throws IOException {
        node.close();
    }
}
