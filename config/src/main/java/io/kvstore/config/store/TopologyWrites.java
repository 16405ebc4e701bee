package io.kvstore.config.store;

import io.kvstore.config.HostPort;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;

/**
 * The compare-and-set transactions on a cluster's topology: create, change and delete it together
 * with the claims on the servers it names. Blocking: never on an event loop; any thread, any
 * number at once (a lost race is retried on what the winner wrote by {@link StoreClient#retryCas},
 * up to {@link StoreClient#CAS_ATTEMPTS} times).
 *
 * <p>Invariants: a topology and its claims change in one ZooKeeper transaction, so a server is
 * never in two clusters; every write carries a fresh write id, so a writer whose reply was lost
 * recognises its own write on the next read instead of applying its change twice; a guarded write
 * happens only while its guard node exists.
 */
final class TopologyWrites {

    private final StoreClient zk;
    private final TopologyReads reads;
    private final ServerClaims claims;

    TopologyWrites(StoreClient zk, TopologyReads reads, ServerClaims claims) {
        this.zk = zk;
        this.reads = reads;
        this.claims = claims;
    }

    /** See {@link ClusterStore#create}. */
    Versioned<Topology> create(Topology topology) {
        String name = topology.cluster();
        String writeId = UUID.randomUUID().toString();
        byte[] data = TopologyCodec.encodeTopology(topology, writeId);
        zk.ensure(StorePaths.CLUSTERS);
        zk.ensure(StorePaths.SERVERS);
        return StoreClient.retryCas("create cluster " + name, attempt -> {
            Optional<Versioned<byte[]>> existing = reads.readIfExists(name);
            if (existing.isPresent()) {
                if (writeId.equals(TopologyCodec.writeId(existing.get().value()))) {
                    return reads.read(name); // our own write, whose reply was lost
                }
                throw new StoreException.Conflict("cluster " + name + " already exists; delete it first"
                        + " (kvstore-admin cluster delete " + name + ") or choose another name");
            }
            claims.check(name, topology.addresses());
            boolean written = commit("create cluster " + name, () -> { // lost: someone created the same nodes meanwhile
                List<CuratorOp> ops = new ArrayList<>();
                for (String path : List.of(StorePaths.cluster(name), StorePaths.proxies(name),
                        StorePaths.migrations(name), StorePaths.failover(name), StorePaths.health(name))) {
                    if (!zk.exists(path)) {
                        ops.add(zk.client().transactionOp().create().forPath(path));
                    }
                }
                ops.add(zk.client().transactionOp().create().forPath(StorePaths.topology(name), data));
                for (HostPort a : topology.addresses()) {
                    ops.add(claims.createOp(topology, a));
                }
                return ops;
            });
            return written ? reads.read(name) : null;
        }, () -> StoreClient.gaveUp(name));
    }

    /** See {@link ClusterStore#update(String, UnaryOperator, String)}; {@code guard} may be null. */
    Versioned<Topology> update(String cluster, UnaryOperator<Topology> change, String guard) {
        String writeId = UUID.randomUUID().toString();
        return StoreClient.retryCas("update cluster " + cluster, attempt -> {
            Versioned<byte[]> raw = reads.readRaw(cluster);
            Topology current = TopologyCodec.decodeTopology(cluster, raw.value());
            if (attempt > 1 && writeId.equals(TopologyCodec.writeId(raw.value()))) {
                return new Versioned<>(current, raw.version(), raw.modifiedMillis()); // our write went through
            }
            Topology next = change.apply(current);
            if (next == current) {
                return new Versioned<>(current, raw.version(), raw.modifiedMillis());
            }
            if (!next.cluster().equals(cluster) || next.epoch() <= current.epoch()) {
                throw new IllegalStateException("a change must keep the cluster and raise the epoch");
            }
            Set<HostPort> added = new LinkedHashSet<>(next.addresses());
            added.removeAll(current.addresses());
            Set<HostPort> removed = new LinkedHashSet<>(current.addresses());
            removed.removeAll(next.addresses());
            claims.check(cluster, added);
            boolean written = commit("update cluster " + cluster, () -> {
                List<CuratorOp> ops = new ArrayList<>();
                if (guard != null) {
                    ops.add(zk.client().transactionOp().check().forPath(guard));
                }
                ops.add(zk.client().transactionOp().setData().withVersion(raw.version())
                        .forPath(StorePaths.topology(cluster), TopologyCodec.encodeTopology(next, writeId)));
                for (HostPort a : added) {
                    zk.ensure(StorePaths.SERVERS);
                    ops.add(claims.createOp(next, a));
                }
                for (HostPort a : removed) {
                    ops.addAll(claims.deleteOwnOp(cluster, a));
                }
                return ops;
            });
            if (written) {
                return new Versioned<>(next, raw.version() + 1, System.currentTimeMillis());
            }
            if (guard != null && !zk.exists(guard)) {
                throw new StoreException.Conflict("not written: " + guard + " is gone (the writer lost its"
                        + " ZooKeeper session or its leadership)");
            }
            return null; // another writer won: apply the change again to what it wrote
        }, () -> StoreClient.gaveUp(cluster));
    }

    /** See {@link ClusterStore#delete}. */
    void delete(String cluster, boolean force) {
        StoreClient.retryCas("delete cluster " + cluster, attempt -> {
            Versioned<byte[]> raw = reads.readRaw(cluster);
            List<String> proxies = zk.children(StorePaths.proxies(cluster));
            if (!proxies.isEmpty() && !force) {
                throw new StoreException.Conflict(proxies.size() + " prox" + (proxies.size() == 1 ? "y" : "ies")
                        + " still serve cluster " + cluster + " (" + String.join(", ", proxies)
                        + "); stop them first, or delete anyway with --force");
            }
            Set<HostPort> addresses;
            try {
                addresses = TopologyCodec.decodeTopology(cluster, raw.value()).addresses();
            } catch (StoreException.Malformed unreadable) {
                addresses = Set.of(); // claims are then left for an operator to remove by hand
            }
            Set<HostPort> claimed = addresses;
            boolean deleted = commit("delete cluster " + cluster, () -> {
                List<CuratorOp> ops = new ArrayList<>();
                ops.add(zk.client().transactionOp().delete().withVersion(raw.version()).forPath(StorePaths.topology(cluster)));
                for (HostPort a : claimed) {
                    ops.addAll(claims.deleteOwnOp(cluster, a));
                }
                return ops;
            });
            if (!deleted) {
                return null;
            }
            try {
                zk.client().delete().deletingChildrenIfNeeded().forPath(StorePaths.cluster(cluster));
            } catch (KeeperException.NoNodeException | KeeperException.NotEmptyException ignored) {
                // gone already, or a proxy re-registered meanwhile: the topology is what counts
            } catch (Exception e) {
                throw zk.failure("delete the nodes of cluster " + cluster, e);
            }
            return Boolean.TRUE;
        }, () -> StoreClient.gaveUp(cluster));
    }

    /** The operations of one topology transaction, built as it is attempted. */
    @FunctionalInterface
    private interface Ops {
        List<CuratorOp> build() throws Exception;
    }

    /**
     * Builds and commits one ZooKeeper transaction: false when another writer got there first (a
     * version, a node created or deleted meanwhile), for {@link StoreClient#retryCas} to try again
     * on what it wrote; any other failure as {@link StoreClient#failure} words it ("cannot {@code what}").
     */
    private boolean commit(String what, Ops ops) {
        try {
            zk.client().transaction().forOperations(ops.build());
            return true;
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException
                 | KeeperException.NoNodeException lost) {
            return false;
        } catch (Exception e) {
            throw zk.failure(what, e);
        }
    }
}
