package io.kvstore.config.store;

import io.kvstore.config.HostPort;
import io.kvstore.config.store.ClaimCodec.ServerClaim;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * Reads and writes cluster descriptions in ZooKeeper (layout: {@link StorePaths}, encoding:
 * the codecs, {@link TopologyCodec} and its siblings). Every call blocks on the network, so it must never run on a Netty event
 * loop; otherwise any thread, any number of threads at once (Curator's client is thread-safe and
 * this class keeps no state but its parts).
 *
 * <p>Writes are compare-and-set: a change is a function of the topology read, written with the
 * version read, and re-applied to the newer topology when another writer got there first, so
 * concurrent admins never lose an update. A topology and the claims on the redis-servers it
 * names change in one ZooKeeper transaction, so a server is never in two clusters. Every write
 * carries a fresh write id: a writer whose connection broke after the write reached ZooKeeper
 * recognises its own write on the next read instead of applying its change twice.
 *
 * <p>This class is the store's entry point and owns the client's lifetime; the work is done by
 * its parts: {@link TopologyReads}, {@link TopologyWrites} (the transactions), {@link ServerClaims},
 * {@link FailoverRecords}, all over {@link StoreClient}.
 */
public final class ClusterStore implements AutoCloseable {

    private final StoreClient zk;
    private final boolean owned;
    private final TopologyReads reads;
    private final ServerClaims claims;
    private final TopologyWrites writes;
    private final FailoverRecords failovers;

    private ClusterStore(CuratorFramework client, boolean owned) {
        this.zk = new StoreClient(client);
        this.owned = owned;
        this.reads = new TopologyReads(zk);
        this.claims = new ServerClaims(zk);
        this.writes = new TopologyWrites(zk, reads, claims);
        this.failovers = new FailoverRecords(zk);
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
        return zk.client();
    }

    // ---------------------------------------------------------------- reading

    /** Names of the clusters that have a topology, sorted. */
    public List<String> clusters() {
        return reads.clusters();
    }

    /** The topology of {@code cluster}; {@link StoreException.NotFound} if there is none, {@link StoreException.Malformed} if unreadable. */
    public Versioned<Topology> read(String cluster) {
        return reads.read(cluster);
    }

    /** The topology node's bytes, undecoded. */
    public Versioned<byte[]> readRaw(String cluster) {
        return reads.readRaw(cluster);
    }

    /** The proxies registered for {@code cluster}, sorted by id; unreadable registrations are listed with their problem. */
    public List<Registration> proxies(String cluster) {
        List<Registration> out = new ArrayList<>();
        List<String> ids = new ArrayList<>(zk.children(StorePaths.proxies(cluster)));
        Collections.sort(ids);
        for (String id : ids) {
            try {
                byte[] data = zk.client().getData().forPath(StorePaths.proxy(cluster, id));
                try {
                    out.add(new Registration(id, ProxyCodec.decodeProxy(id, data), null));
                } catch (StoreException.Malformed e) {
                    out.add(new Registration(id, null, e.getMessage()));
                }
            } catch (KeeperException.NoNodeException gone) {
                // the proxy stopped while we listed
            } catch (Exception e) {
                throw zk.failure("read the proxies of cluster " + cluster, e);
            }
        }
        return out;
    }

    /** One registered proxy: its record, or why it could not be read. */
    public record Registration(String id, ProxyRecord proxy, String unreadable) {
    }

    /** Which cluster, if any, has claimed the redis-server at {@code address}. */
    public Optional<ServerClaim> claim(HostPort address) {
        return claims.claim(address);
    }

    /** The health views published by the proxies of {@code cluster}, sorted by proxy id; unreadable ones are skipped. */
    public List<HealthReport> healthReports(String cluster) {
        List<HealthReport> out = new ArrayList<>();
        List<String> ids = new ArrayList<>(zk.children(StorePaths.health(cluster)));
        Collections.sort(ids);
        for (String id : ids) {
            try {
                out.add(ProxyCodec.decodeHealth(id, zk.client().getData().forPath(StorePaths.healthOf(cluster, id))));
            } catch (KeeperException.NoNodeException | StoreException.Malformed gone) {
                // the proxy stopped while we listed, or wrote something we cannot read: no vote
            } catch (Exception e) {
                throw zk.failure("read the health views of cluster " + cluster, e);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- failover records

    /** The failover records of {@code cluster}, oldest first, each with its node version; unreadable ones are skipped. */
    public List<Versioned<FailoverRecord>> failovers(String cluster) {
        return failovers.all(cluster);
    }

    /** The ids of the failover records of {@code cluster}, oldest first (cheap: one listing). */
    public List<String> failoverIds(String cluster) {
        return failovers.ids(cluster);
    }

    /** One failover record with its version; empty if it is gone or unreadable. */
    public Optional<Versioned<FailoverRecord>> failover(String cluster, String id) {
        return failovers.one(cluster, id);
    }

    /** Records a new failover (a sequential node); returns it with its id, at version 0. */
    public Versioned<FailoverRecord> createFailover(String cluster, FailoverRecord record) {
        return failovers.create(cluster, record);
    }

    /**
     * Rewrites a failover record if it is still at {@code version}; returns it with its new
     * version. {@link StoreException.Conflict} if someone else changed it meanwhile (another
     * controller took it over), {@link StoreException.NotFound} if it was removed.
     */
    public Versioned<FailoverRecord> updateFailover(String cluster, FailoverRecord record, int version) {
        return failovers.update(cluster, record, version);
    }

    /** Deletes finished failover records beyond the newest {@code keep}. */
    public void pruneFailovers(String cluster, int keep) {
        failovers.prune(cluster, keep);
    }

    /**
     * The id of the controller leading {@code cluster}'s failovers (the participant of its leader
     * latch with the lowest sequence number), if any runs.
     */
    public Optional<String> controllerLeader(String cluster) {
        return failovers.leader(cluster);
    }

    // ---------------------------------------------------------------- writing

    /**
     * Creates a cluster with its topology, claiming every server it names. {@link StoreException.Conflict}
     * if the name is taken or a server belongs to another cluster.
     */
    public Versioned<Topology> create(Topology topology) {
        return writes.create(topology);
    }

    /**
     * Applies {@code change} to the current topology and writes the result with compare-and-set,
     * re-applying it to the newer topology when another writer won; returns what was written.
     * The change must return a topology of a higher epoch, or the same instance for "nothing to
     * do". It may throw ({@link StoreException.NotFound}, {@link StoreException.Conflict},
     * {@link IllegalArgumentException}) to refuse; that propagates unchanged.
     */
    public Versioned<Topology> update(String cluster, UnaryOperator<Topology> change) {
        return writes.update(cluster, change, null);
    }

    /**
     * The same, written only while the node {@code guard} exists: its existence is checked in
     * the same ZooKeeper transaction as the write. The failover controller passes its leader
     * latch node, an ephemeral node of its session, so a controller whose session expired (and
     * whose leadership may already be someone else's) can never write the topology, however late
     * its write arrives. {@link StoreException.Conflict} when the guard is gone.
     */
    public Versioned<Topology> update(String cluster, UnaryOperator<Topology> change, String guard) {
        return writes.update(cluster, change, guard);
    }

    /**
     * Deletes a cluster: its topology and its servers' claims in one transaction, then the rest
     * of its nodes. Refused while proxies are registered, unless {@code force}.
     */
    public void delete(String cluster, boolean force) {
        writes.delete(cluster, force);
    }

    /**
     * Throws {@link StoreException.Conflict} if any of {@code addresses} is claimed already, by
     * another cluster or by {@code cluster} itself. Writes check again inside their transaction;
     * this is for failing fast with a clear message.
     */
    public void checkClaims(String cluster, Set<HostPort> addresses) {
        claims.check(cluster, addresses);
    }

    @Override
    public void close() {
        if (owned) {
            zk.client().close();
        }
    }
}
