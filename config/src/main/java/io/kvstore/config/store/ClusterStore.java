package io.kvstore.config.store;

import io.kvstore.config.HostPort;
import io.kvstore.config.store.StoreCodec.ServerClaim;
import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Comparator;
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
import org.apache.zookeeper.CreateMode;
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

    /** The health views published by the proxies of {@code cluster}, sorted by proxy id; unreadable ones are skipped. */
    public List<HealthReport> healthReports(String cluster) {
        List<HealthReport> out = new ArrayList<>();
        List<String> ids = new ArrayList<>(children(StorePaths.health(cluster)));
        Collections.sort(ids);
        for (String id : ids) {
            try {
                out.add(StoreCodec.decodeHealth(id, client.getData().forPath(StorePaths.healthOf(cluster, id))));
            } catch (KeeperException.NoNodeException | StoreException.Malformed gone) {
                // the proxy stopped while we listed, or wrote something we cannot read: no vote
            } catch (Exception e) {
                throw failure("read the health views of cluster " + cluster, e);
            }
        }
        return out;
    }

    /** The failover records of {@code cluster}, oldest first, each with its node version; unreadable ones are skipped. */
    public List<Versioned<FailoverRecord>> failovers(String cluster) {
        List<Versioned<FailoverRecord>> out = new ArrayList<>();
        for (String id : failoverIds(cluster)) {
            failover(cluster, id).ifPresent(out::add);
        }
        return out;
    }

    /** The ids of the failover records of {@code cluster}, oldest first (cheap: one listing). */
    public List<String> failoverIds(String cluster) {
        List<String> ids = new ArrayList<>(children(StorePaths.failover(cluster)));
        ids.removeIf(id -> !id.startsWith("f-"));
        Collections.sort(ids);
        return ids;
    }

    /** One failover record with its version; empty if it is gone or unreadable. */
    public Optional<Versioned<FailoverRecord>> failover(String cluster, String id) {
        try {
            Stat stat = new Stat();
            byte[] data = client.getData().storingStatIn(stat).forPath(StorePaths.failoverRecord(cluster, id));
            return Optional.of(new Versioned<>(StoreCodec.decodeFailover(id, data), stat.getVersion(), stat.getMtime()));
        } catch (KeeperException.NoNodeException | StoreException.Malformed gone) {
            return Optional.empty(); // pruned meanwhile, or unreadable: nobody's to drive
        } catch (Exception e) {
            throw failure("read failover record " + id + " of cluster " + cluster, e);
        }
    }

    /** Records a new failover (a sequential node); returns it with its id, at version 0. */
    public Versioned<FailoverRecord> createFailover(String cluster, FailoverRecord record) {
        try {
            ensure(StorePaths.failover(cluster));
            String path = client.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                    .forPath(StorePaths.failoverPrefix(cluster), StoreCodec.encodeFailover(record));
            String id = path.substring(path.lastIndexOf('/') + 1);
            return new Versioned<>(record.withId(id), 0, System.currentTimeMillis());
        } catch (Exception e) {
            throw failure("record a failover of cluster " + cluster, e);
        }
    }

    /**
     * Rewrites a failover record if it is still at {@code version}; returns it with its new
     * version. {@link StoreException.Conflict} if someone else changed it meanwhile (another
     * controller took it over), {@link StoreException.NotFound} if it was removed.
     */
    public Versioned<FailoverRecord> updateFailover(String cluster, FailoverRecord record, int version) {
        try {
            Stat stat = client.setData().withVersion(version)
                    .forPath(StorePaths.failoverRecord(cluster, record.id()), StoreCodec.encodeFailover(record));
            return new Versioned<>(record, stat.getVersion(), stat.getMtime());
        } catch (KeeperException.BadVersionException e) {
            throw new StoreException.Conflict("failover record " + record.id() + " of cluster " + cluster
                    + " was changed by someone else meanwhile");
        } catch (KeeperException.NoNodeException e) {
            throw new StoreException.NotFound("failover record " + record.id() + " of cluster " + cluster + " is gone");
        } catch (Exception e) {
            throw failure("update failover record " + record.id() + " of cluster " + cluster, e);
        }
    }

    /** Deletes finished failover records beyond the newest {@code keep}. */
    public void pruneFailovers(String cluster, int keep) {
        List<Versioned<FailoverRecord>> all = failovers(cluster);
        for (int i = 0; i < all.size() - keep; i++) {
            FailoverRecord f = all.get(i).value();
            if (!f.state().finished()) {
                continue;
            }
            try {
                client.delete().withVersion(all.get(i).version()).forPath(StorePaths.failoverRecord(cluster, f.id()));
            } catch (KeeperException.NoNodeException | KeeperException.BadVersionException raced) {
                // another controller pruned or changed it
            } catch (Exception e) {
                throw failure("prune failover records of cluster " + cluster, e);
            }
        }
    }

    /**
     * The id of the controller leading {@code cluster}'s failovers (the participant of its leader
     * latch with the lowest sequence number), if any runs.
     */
    public Optional<String> controllerLeader(String cluster) {
        List<String> nodes = new ArrayList<>(children(StorePaths.controller(cluster)));
        nodes.removeIf(n -> n.lastIndexOf("latch-") < 0);
        nodes.sort(Comparator.comparing(n -> n.substring(n.lastIndexOf("latch-"))));
        for (String n : nodes) {
            try {
                return Optional.of(new String(client.getData().forPath(StorePaths.controller(cluster) + "/" + n),
                        StandardCharsets.UTF_8));
            } catch (KeeperException.NoNodeException gone) {
                // that participant left while we looked: the next one leads
            } catch (Exception e) {
                throw failure("read the controller of cluster " + cluster, e);
            }
        }
        return Optional.empty();
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
                        StorePaths.migrations(name), StorePaths.failover(name), StorePaths.health(name))) {
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
        return update(cluster, change, null);
    }

    /**
     * The same, written only while the node {@code guard} exists: its existence is checked in
     * the same ZooKeeper transaction as the write. The failover controller passes its leader
     * latch node, an ephemeral node of its session, so a controller whose session expired (and
     * whose leadership may already be someone else's) can never write the topology, however late
     * its write arrives. {@link StoreException.Conflict} when the guard is gone.
     */
    public Versioned<Topology> update(String cluster, UnaryOperator<Topology> change, String guard) {
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
                if (guard != null) {
                    ops.add(client.transactionOp().check().forPath(guard));
                }
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
                if (guard != null && !exists(guard)) {
                    throw new StoreException.Conflict("not written: " + guard + " is gone (the writer lost its"
                            + " ZooKeeper session or its leadership)");
                }
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
