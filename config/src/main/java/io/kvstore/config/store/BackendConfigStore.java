package io.kvstore.config.store;

import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * Reads and writes a cluster's {@code backend-config} node. Writes are compare-and-set on the
 * node's version (created on the first write), so two admins or proxies setting parameters at
 * once never lose one another's change. Blocking: never call it on an event loop. Thread-safe as
 * Curator is.
 */
public final class BackendConfigStore {

    private final CuratorFramework zk;
    private final String cluster;
    private final String path;

    public BackendConfigStore(CuratorFramework zk, String cluster) {
        this.zk = zk;
        this.cluster = cluster;
        this.path = StorePaths.backendConfig(cluster);
    }

    /** The recorded parameters; empty when none were ever set. */
    public BackendConfig read() {
        try {
            return BackendConfig.decode(cluster, zk.getData().forPath(path));
        } catch (KeeperException.NoNodeException e) {
            return BackendConfig.EMPTY;
        } catch (StoreException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreException.Unavailable("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Applies {@code change} to the recorded parameters with compare-and-set, again on a newer
     * version when another writer won; returns what was written. The cluster must exist.
     */
    public BackendConfig update(UnaryOperator<BackendConfig> change) {
        return CasNode.update(zk, cluster, path,
                data -> change.apply(data == null ? BackendConfig.EMPTY : BackendConfig.decode(cluster, data)), BackendConfig::encode);
    }
}
