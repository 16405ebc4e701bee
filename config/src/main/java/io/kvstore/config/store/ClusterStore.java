package io.kvstore.config.store;

import io.kvstore.config.HostPort;
import io.kvstore.config.store.StoreCodec.ServerClaim;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Reads and writes cluster descriptions in ZooKeeper (layout: {@link StorePaths}). Every call
 * blocks on the network, so it must never run on a Netty event loop; otherwise any thread, any
 * number of threads at once (Curator's client is thread-safe and this class keeps no state).
 *
 * <p>Writes are compare-and-set: a change is a function of the topology read, written with the
 * version read, and re-applied to the newer topology when another writer got there first, so
 * concurrent admins never lose an update. A topology and the claims on the redis-servers it
 * names change in one ZooKeeper transaction, so a server is never in two clusters. Every write
 * carries a fresh write id: a writer whose connection broke after the write reached ZooKeeper
 * recognises its own write on the next read instead of applying its change twice.
 */
public final class ClusterStore implements AutoCloseable {

    /** Compare-and-set attempts before giving up with {@link StoreException.Conflict}. */
    static final int CAS_ATTEMPTS = 30;

    private final CuratorFramework client;
    private final boolean owned;
    private final String where;

    private ClusterStore(CuratorFramework client, boolean owned) {
        this.client = client;
        this.owned = owned;
        this.where = "ZooKeeper at " + client.getZookeeperClient().getCurrentConnectionString();
    }

    /**
     * Starts a client and waits until it is connected; {@link StoreException.Unavailable} if that
     * takes longer than the connection timeout. The store owns the client and closes it.
     */
    public static ClusterStore connect(ZkSettings settings) {
        CuratorFramework client = settings.newClient();
        client.start();
        try {
            if (!client.blockUntilConnected(settings.connectionTimeoutMs(), TimeUnit.MILLISECONDS)) {
                client.close();
                throw new StoreException.Unavailable("cannot reach " + settings + " within "
                        + settings.connectionTimeoutMs() + " ms: is ZooKeeper running, and is the address right?", null);
            }
        } catch (InterruptedException e) {
            client.close();
            Thread.currentThread().interrupt();
            throw new StoreException.Unavailable("interrupted while connecting to " + settings, e);
        }
        return new ClusterStore(client, true);
    }

    /** A store over a started client that the caller keeps owning. */
    public static ClusterStore using(CuratorFramework client) {
        return new ClusterStore(client, false);
    }

    public CuratorFramework client() {
        return client;
    }

    // ---------------------------------------------------------------- reading

    /** Names of the clusters that have a topology, sorted. */
    public List<String> clusters() {
        List<String> out = new ArrayList<>();
        for (String name : children(StorePaths.CLUSTERS)) {
            if (Topology.NAME.matcher(name).matches() && exists(StorePaths.topology(name))) {
                out.add(name);
            }
        }
        Collections.sort(out);
        return out;
    }

    /** The topology of {@code cluster}; {@link StoreException.NotFound} if there is none, {@link StoreException.Malformed} if unreadable. */
    public Versioned<Topology> read(String cluster) {
        Versioned<byte[]> raw = readRaw(cluster);
        return new Versioned<>(StoreCodec.decodeTopology(cluster, raw.value()), raw.version(), raw.modifiedMillis());
    }

    /** The topology node's bytes, undecoded. */
    public Versioned<byte[]> readRaw(String cluster) {
        String path = StorePaths.topology(cluster);
        try {
            Stat stat = new Stat();
            byte[] data = client.getData().storingStatIn(stat).forPath(path);
            return new Versioned<>(data, stat.getVersion(), stat.getMtime());
        } catch (KeeperException.NoNodeException e) {
            throw notFound(cluster);
        } catch (Exception e) {
            throw failure("read cluster " + cluster, e);
        }
    }

    private StoreException.NotFound notFound(String cluster) {
        List<String> known;
        try {
            known = clusters();
        } catch (StoreException e) {
            known = List.of();
        }
        return new StoreException.NotFound("no cluster '" + cluster + "' in " + where
                + (known.isEmpty() ? " (there are no clusters yet)" : "; clusters: " + String.join(", ", known)));
    }

    /** The proxies registered for {@code cluster}, sorted by id; unreadable registrations are listed with their problem. */
    public List<Registration> proxies(String cluster) {
        List<Registration> out = new ArrayList<>();
        List<String> ids = new ArrayList<>(children(StorePaths.proxies(cluster)));
        Collections.sort(ids);
        for (String id : ids) {
            try {
                byte[] data = client.getData().forPath(StorePaths.proxy(cluster, id));
                try {
                    out.add(new Registration(id, StoreCodec.decodeProxy(id, data), null));
                } catch (StoreException.Malformed e) {
                    out.add(new Registration(id, null, e.getMessage()));
                }
            } catch (KeeperException.NoNodeException gone) {
                // the proxy stopped while we listed
            } catch (Exception e) {
                throw failure("read the proxies of cluster " + cluster, e);
            }
        }
        return out;
    }

    /** One registered proxy: its record, or why it could not be read. */
    public record Registration(String id, ProxyRecord proxy, String unreadable) {
    }

    /** Which cluster, if any, has claimed the redis-server at {@code address}. */
    public Optional<ServerClaim> claim(HostPort address) {
        try {
            byte[] data = client.getData().forPath(StorePaths.server(address));
            return Optional.of(StoreCodec.decodeClaim(address.toString(), data));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (StoreException e) {
            throw e;
        } catch (Exception e) {
            throw failure("read the claim on " + address, e);
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Creates a cluster with its topology, claiming every server it names. {@link StoreException.Conflict}
     * if the name is taken or a server belongs to another cluster.
     */
    public Versioned<Topology> create(Topology topology) {
        String name = topology.cluster();
        String writeId = UUID.randomUUID().toString();
        byte[] data = StoreCodec.encodeTopology(topology, writeId);
        ensure(StorePaths.CLUSTERS);
        ensure(StorePaths.SERVERS);
        for (int attempt = 1; attempt <= CAS_ATTEMPTS; attempt++) {
            Optional<Versioned<byte[]>> existing = readIfExists(name);
            if (existing.isPresent()) {
                if (writeId.equals(StoreCodec.writeId(existing.get().value()))) {
                    return read(name); // our own write, whose reply was lost
                }
                throw new StoreException.Conflict("cluster " + name + " already exists; delete it first"
                        + " (kvstore-admin cluster delete " + name + ") or choose another name");
            }
            checkClaims(name, topology.addresses());
            try {
                List<CuratorOp> ops = new ArrayList<>();
                for (String path : List.of(StorePaths.cluster(name), StorePaths.proxies(name),
                        StorePaths.migrations(name), StorePaths.failover(name))) {
                    if (!exists(path)) {
                        ops.add(client.transactionOp().create().forPath(path));
                    }
                }
                ops.add(client.transactionOp().create().forPath(StorePaths.topology(name), data));
                for (HostPort a : topology.addresses()) {
                    ops.add(createClaim(a, new ServerClaim(name, groupOf(topology, a))));
                }
                client.transaction().forOperations(ops);
                return read(name);
            } catch (KeeperException.NodeExistsException | KeeperException.NoNodeException raced) {
                backoff(attempt); // someone created the same nodes meanwhile: look again
            } catch (Exception e) {
                throw failure("create cluster " + name, e);
            }
        }
        throw gaveUp(name);
    }

    /**
     * Applies {@code change} to the current topology and writes the result with compare-and-set,
     * re-applying it to the newer topology when another writer won; returns what was written.
     * The change must return a topology of a higher epoch, or the same instance for "nothing to
     * do". It may throw ({@link StoreException.NotFound}, {@link StoreException.Conflict},
     * {@link IllegalArgumentException}) to refuse; that propagates unchanged.
     */
    public Versioned<Topology> update(String cluster, UnaryOperator<Topology> change) {
        String writeId = UUID.randomUUID().toString();
        for (int attempt = 1; attempt <= CAS_ATTEMPTS; attempt++) {
            Versioned<byte[]> raw = readRaw(cluster);
            Topology current = StoreCodec.decodeTopology(cluster, raw.value());
            if (attempt > 1 && writeId.equals(StoreCodec.writeId(raw.value()))) {
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
            checkClaims(cluster, added);
            try {
                List<CuratorOp> ops = new ArrayList<>();
                ops.add(client.transactionOp().setData().withVersion(raw.version())
                        .forPath(StorePaths.topology(cluster), StoreCodec.encodeTopology(next, writeId)));
                for (HostPort a : added) {
                    ensure(StorePaths.SERVERS);
                    ops.add(createClaim(a, new ServerClaim(cluster, groupOf(next, a))));
                }
                for (HostPort a : removed) {
                    ops.addAll(deleteOwnClaim(cluster, a));
                }
                client.transaction().forOperations(ops);
                return new Versioned<>(next, raw.version() + 1, System.currentTimeMillis());
            } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException
                     | KeeperException.NoNodeException lost) {
                backoff(attempt); // another writer won: apply the change again to what it wrote
            } catch (Exception e) {
                throw failure("update cluster " + cluster, e);
            }
        }
        throw gaveUp(cluster);
    }

    /**
     * Deletes a cluster: its topology and its servers' claims in one transaction, then the rest
     * of its nodes. Refused while proxies are registered, unless {@code force}.
     */
    public void delete(String cluster, boolean force) {
        for (int attempt = 1; attempt <= CAS_ATTEMPTS; attempt++) {
            Versioned<byte[]> raw = readRaw(cluster);
            List<String> proxies = children(StorePaths.proxies(cluster));
            if (!proxies.isEmpty() && !force) {
                throw new StoreException.Conflict(proxies.size() + " prox" + (proxies.size() == 1 ? "y" : "ies")
                        + " still serve cluster " + cluster + " (" + String.join(", ", proxies)
                        + "); stop them first, or delete anyway with --force");
            }
            Set<HostPort> addresses;
            try {
                addresses = StoreCodec.decodeTopology(cluster, raw.value()).addresses();
            } catch (StoreException.Malformed unreadable) {
                addresses = Set.of(); // claims are then left for an operator to remove by hand
            }
            try {
                List<CuratorOp> ops = new ArrayList<>();
                ops.add(client.transactionOp().delete().withVersion(raw.version()).forPath(StorePaths.topology(cluster)));
                for (HostPort a : addresses) {
                    ops.addAll(deleteOwnClaim(cluster, a));
                }
                client.transaction().forOperations(ops);
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException lost) {
                backoff(attempt);
                continue;
            } catch (Exception e) {
                throw failure("delete cluster " + cluster, e);
            }
            try {
                client.delete().deletingChildrenIfNeeded().forPath(StorePaths.cluster(cluster));
            } catch (KeeperException.NoNodeException | KeeperException.NotEmptyException ignored) {
                // gone already, or a proxy re-registered meanwhile: the topology is what counts
            } catch (Exception e) {
                throw failure("delete the nodes of cluster " + cluster, e);
            }
            return;
        }
        throw gaveUp(cluster);
    }

    // ---------------------------------------------------------------- helpers

    private CuratorOp createClaim(HostPort address, ServerClaim claim) throws Exception {
        return client.transactionOp().create().forPath(StorePaths.server(address), StoreCodec.encodeClaim(claim));
    }

    /** The delete of {@code address}'s claim if it is held by {@code cluster} (at the version read); else nothing. */
    private List<CuratorOp> deleteOwnClaim(String cluster, HostPort address) throws Exception {
        Stat stat = new Stat();
        try {
            byte[] data = client.getData().storingStatIn(stat).forPath(StorePaths.server(address));
            ServerClaim claim = StoreCodec.decodeClaim(address.toString(), data);
            if (!claim.cluster().equals(cluster)) {
                return List.of();
            }
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (StoreException.Malformed e) {
            // unreadable: ours to clean up, since the topology names the server
        }
        return List.of(client.transactionOp().delete().withVersion(stat.getVersion()).forPath(StorePaths.server(address)));
    }

    /**
     * Throws {@link StoreException.Conflict} if any of {@code addresses} is claimed already, by
     * another cluster or by {@code cluster} itself. Writes check again inside their transaction;
     * this is for failing fast with a clear message.
     */
    public void checkClaims(String cluster, Set<HostPort> addresses) {
        for (HostPort a : addresses) {
            Optional<ServerClaim> claim = claim(a);
            if (claim.isPresent() && !claim.get().cluster().equals(cluster)) {
                throw new StoreException.Conflict("redis-server " + a + " is already a member of cluster '"
                        + claim.get().cluster() + "' (group " + claim.get().group() + "); a server serves one cluster only");
            }
            if (claim.isPresent()) {
                throw new StoreException.Conflict("redis-server " + a + " is already in cluster " + cluster
                        + " (group " + claim.get().group() + ")");
            }
        }
    }

    private static String groupOf(Topology t, HostPort address) {
        return t.groups().stream()
                .filter(g -> g.master().equals(address) || g.replicas().contains(address))
                .findFirst().orElseThrow().id();
    }

    private Optional<Versioned<byte[]>> readIfExists(String cluster) {
        try {
            return Optional.of(readRaw(cluster));
        } catch (StoreException.NotFound e) {
            return Optional.empty();
        }
    }

    private boolean exists(String path) {
        try {
            return client.checkExists().forPath(path) != null;
        } catch (Exception e) {
            throw failure("look up " + path, e);
        }
    }

    private List<String> children(String path) {
        try {
            return client.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (Exception e) {
            throw failure("list " + path, e);
        }
    }

    private void ensure(String path) {
        try {
            client.create().creatingParentsIfNeeded().forPath(path);
        } catch (KeeperException.NodeExistsException fine) {
            // there already
        } catch (Exception e) {
            throw failure("create " + path, e);
        }
    }

    private static void backoff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextInt(1, 5 + Math.min(attempt, 10) * 10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException.Unavailable("interrupted", e);
        }
    }

    private StoreException.Conflict gaveUp(String cluster) {
        return new StoreException.Conflict("gave up after " + CAS_ATTEMPTS + " attempts: other writers keep changing cluster "
                + cluster + " at the same time; try again");
    }

    /** Turns a ZooKeeper or Curator failure into an operator-readable {@link StoreException}. */
    private RuntimeException failure(String what, Exception e) {
        if (e instanceof StoreException se) {
            return se;
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        if (e instanceof KeeperException.NoAuthException || e instanceof KeeperException.AuthFailedException) {
            return new StoreException.Unavailable("cannot " + what + ": " + where + " refused access"
                    + " (wrong or missing --zk-auth user:password?)", e);
        }
        if (e instanceof KeeperException ke) {
            return new StoreException.Unavailable("cannot " + what + ": " + where + " answered " + ke.code(), e);
        }
        if (e instanceof IllegalArgumentException iae) {
            return iae;
        }
        return new StoreException.Unavailable("cannot " + what + ": " + where + " is unreachable ("
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")", e);
    }

    @Override
    public void close() {
        if (owned) {
            client.close();
        }
    }
}
