package io.kvstore.config.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * A cluster's failover records ({@code failover/f-NNNNNNNNNN}) and the leader of its failover
 * controllers: record, rewrite with compare-and-set, prune, list. Blocking: never on an event
 * loop; any thread.
 *
 * <p>Invariant: a record is rewritten only at the version its writer read (a controller that lost
 * a record to another never overwrites it), and only finished records are pruned.
 */
final class FailoverRecords {

    private final StoreClient zk;

    FailoverRecords(StoreClient zk) {
        this.zk = zk;
    }

    /** See {@link ClusterStore#failovers}. */
    List<Versioned<FailoverRecord>> all(String cluster) {
        List<Versioned<FailoverRecord>> out = new ArrayList<>();
        for (String id : ids(cluster)) {
            one(cluster, id).ifPresent(out::add);
        }
        return out;
    }

    /** See {@link ClusterStore#failoverIds}. */
    List<String> ids(String cluster) {
        List<String> ids = new ArrayList<>(zk.children(StorePaths.failover(cluster)));
        ids.removeIf(id -> !id.startsWith("f-"));
        Collections.sort(ids);
        return ids;
    }

    /** See {@link ClusterStore#failover}. */
    Optional<Versioned<FailoverRecord>> one(String cluster, String id) {
        try {
            Stat stat = new Stat();
            byte[] data = zk.client().getData().storingStatIn(stat).forPath(StorePaths.failoverRecord(cluster, id));
            return Optional.of(new Versioned<>(FailoverCodec.decodeFailover(id, data), stat.getVersion(), stat.getMtime()));
        } catch (KeeperException.NoNodeException | StoreException.Malformed gone) {
            return Optional.empty(); // pruned meanwhile, or unreadable: nobody's to drive
        } catch (Exception e) {
            throw zk.failure("read failover record " + id + " of cluster " + cluster, e);
        }
    }

    /** See {@link ClusterStore#createFailover}. */
    Versioned<FailoverRecord> create(String cluster, FailoverRecord record) {
        try {
            zk.ensure(StorePaths.failover(cluster));
            String path = zk.client().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                    .forPath(StorePaths.failoverPrefix(cluster), FailoverCodec.encodeFailover(record));
            String id = path.substring(path.lastIndexOf('/') + 1);
            return new Versioned<>(record.withId(id), 0, System.currentTimeMillis());
        } catch (Exception e) {
            throw zk.failure("record a failover of cluster " + cluster, e);
        }
    }

    /** See {@link ClusterStore#updateFailover}. */
    Versioned<FailoverRecord> update(String cluster, FailoverRecord record, int version) {
        try {
            Stat stat = zk.client().setData().withVersion(version)
                    .forPath(StorePaths.failoverRecord(cluster, record.id()), FailoverCodec.encodeFailover(record));
            return new Versioned<>(record, stat.getVersion(), stat.getMtime());
        } catch (KeeperException.BadVersionException e) {
            throw new StoreException.Conflict("failover record " + record.id() + " of cluster " + cluster
                    + " was changed by someone else meanwhile");
        } catch (KeeperException.NoNodeException e) {
            throw new StoreException.NotFound("failover record " + record.id() + " of cluster " + cluster + " is gone");
        } catch (Exception e) {
            throw zk.failure("update failover record " + record.id() + " of cluster " + cluster, e);
        }
    }

    /** See {@link ClusterStore#pruneFailovers}. */
    void prune(String cluster, int keep) {
        List<Versioned<FailoverRecord>> all = all(cluster);
        for (int i = 0; i < all.size() - keep; i++) {
            FailoverRecord f = all.get(i).value();
            if (!f.state().finished()) {
                continue;
            }
            try {
                zk.client().delete().withVersion(all.get(i).version()).forPath(StorePaths.failoverRecord(cluster, f.id()));
            } catch (KeeperException.NoNodeException | KeeperException.BadVersionException raced) {
                // another controller pruned or changed it
            } catch (Exception e) {
                throw zk.failure("prune failover records of cluster " + cluster, e);
            }
        }
    }

    /** See {@link ClusterStore#controllerLeader}. */
    Optional<String> leader(String cluster) {
        List<String> nodes = new ArrayList<>(zk.children(StorePaths.controller(cluster)));
        nodes.removeIf(n -> n.lastIndexOf("latch-") < 0);
        nodes.sort(Comparator.comparing(n -> n.substring(n.lastIndexOf("latch-"))));
        for (String n : nodes) {
            try {
                return Optional.of(new String(zk.client().getData().forPath(StorePaths.controller(cluster) + "/" + n),
                        StandardCharsets.UTF_8));
            } catch (KeeperException.NoNodeException gone) {
                // that participant left while we looked: the next one leads
            } catch (Exception e) {
                throw zk.failure("read the controller of cluster " + cluster, e);
            }
        }
        return Optional.empty();
    }
}
