package io.kvstore.admin.reshard;

import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.StoreException;
import io.kvstore.config.store.StorePaths;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Reads and writes the migration job node of one cluster, with compare-and-set like every other
 * write to the cluster's nodes. Used by one driver thread at a time, and by {@code migrations}.
 */
public final class JobStore {

    private final CuratorFramework zk;
    private final String path;

    public JobStore(ClusterStore store, String cluster) {
        this.zk = store.client();
        this.path = StorePaths.migrations(cluster) + "/job";
    }

    public Optional<MigrationJob> read() {
        try {
            return Optional.of(MigrationJob.decode(zk.getData().forPath(path)));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw new StoreException.Unavailable("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Creates the job; refused when one is recorded already. */
    public void create(MigrationJob job) {
        try {
            zk.create().creatingParentsIfNeeded().forPath(path, job.encode());
        } catch (KeeperException.NodeExistsException e) {
            throw new StoreException.Conflict("a migration is already recorded for this cluster; see `kvstore-admin migrations`, "
                    + "resume it with `migrations --resume` or wait for it to finish");
        } catch (Exception e) {
            throw new StoreException.Unavailable("cannot create " + path + ": " + e.getMessage(), e);
        }
    }

    /** Applies {@code change} with compare-and-set, retrying when another writer won. */
    public MigrationJob update(UnaryOperator<MigrationJob> change) {
        for (int attempt = 0; attempt < 30; attempt++) {
            try {
                Stat stat = new Stat();
                MigrationJob current = MigrationJob.decode(zk.getData().storingStatIn(stat).forPath(path));
                MigrationJob next = change.apply(current);
                zk.setData().withVersion(stat.getVersion()).forPath(path, next.encode());
                return next;
            } catch (KeeperException.BadVersionException e) {
                continue;
            } catch (KeeperException.NoNodeException e) {
                throw new StoreException.NotFound("no migration is recorded for this cluster");
            } catch (Exception e) {
                throw new StoreException.Unavailable("cannot update " + path + ": " + e.getMessage(), e);
            }
        }
        throw new StoreException.Conflict("could not update " + path + ": too many concurrent writers");
    }

    /** Removes the job once it is finished. */
    public void delete() {
        try {
            zk.delete().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            // already gone
        } catch (Exception e) {
            throw new StoreException.Unavailable("cannot delete " + path + ": " + e.getMessage(), e);
        }
    }
}
