package io.kvstore.config.store;

import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * A compare-and-set write of one node of a cluster: read it with its version, change it, write it
 * with that version (create it when absent), again on a newer version when another writer won
 * ({@link StoreClient#retryCas}).
 * Stateless; blocking, never on an event loop.
 */
final class CasNode {

    private CasNode() {
    }

    /**
     * Writes {@code encode(change(present))}, {@code present} being the node's data or null when it
     * does not exist yet, and returns what was written. The cluster must exist.
     */
    static <T> T update(CuratorFramework zk, String cluster, String path, Function<byte[], T> change,
                        Function<T, byte[]> encode) {
        try {
            return StoreClient.retryCas("write " + path, attempt -> {
                if (zk.checkExists().forPath(StorePaths.topology(cluster)) == null) {
                    throw new StoreException.NotFound("no cluster '" + cluster + "'");
                }
                Stat stat = new Stat();
                byte[] data;
                try {
                    data = zk.getData().storingStatIn(stat).forPath(path);
                } catch (KeeperException.NoNodeException absent) {
                    T next = change.apply(null);
                    zk.create().forPath(path, encode.apply(next));
                    return next;
                }
                T next = change.apply(data);
                zk.setData().withVersion(stat.getVersion()).forPath(path, encode.apply(next));
                return next;
            }, () -> new StoreException.Conflict("could not write " + path + ": too many concurrent writers"));
        } catch (StoreException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StoreException.Unavailable("cannot write " + path + ": " + e.getMessage(), e);
        }
    }
}
