package io.kvstore.config.store;

import io.kvstore.config.HostPort;
import io.kvstore.config.store.ClaimCodec.ServerClaim;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The claims on redis-servers ({@code /kvstore/servers/HOST:PORT}): which cluster and group each
 * belongs to. Reads them, and makes the create and delete operations that {@link TopologyWrites}
 * puts in the same transaction as a topology write. Blocking: never on an event loop; any thread.
 *
 * <p>Invariant: a server is claimed by at most one cluster, and a cluster deletes only its own
 * claims, at the version it read (so a claim taken over meanwhile is never deleted).
 */
final class ServerClaims {

    private final StoreClient zk;

    ServerClaims(StoreClient zk) {
        this.zk = zk;
    }

    /** Which cluster, if any, has claimed the redis-server at {@code address}. */
    Optional<ServerClaim> claim(HostPort address) {
        try {
            byte[] data = zk.client().getData().forPath(StorePaths.server(address));
            return Optional.of(ClaimCodec.decodeClaim(address.toString(), data));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (StoreException e) {
            throw e;
        } catch (Exception e) {
            throw zk.failure("read the claim on " + address, e);
        }
    }

    /**
     * Throws {@link StoreException.Conflict} if any of {@code addresses} is claimed already, by
     * another cluster or by {@code cluster} itself. Writes check again inside their transaction;
     * this is for failing fast with a clear message.
     */
    void check(String cluster, Set<HostPort> addresses) {
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

    /** The create of {@code address}'s claim for the group of {@code t} that lists it. */
    CuratorOp createOp(Topology t, HostPort address) throws Exception {
        ServerClaim claim = new ServerClaim(t.cluster(), groupOf(t, address));
        return zk.client().transactionOp().create().forPath(StorePaths.server(address), ClaimCodec.encodeClaim(claim));
    }

    /** The delete of {@code address}'s claim if it is held by {@code cluster} (at the version read); else nothing. */
    List<CuratorOp> deleteOwnOp(String cluster, HostPort address) throws Exception {
        Stat stat = new Stat();
        try {
            byte[] data = zk.client().getData().storingStatIn(stat).forPath(StorePaths.server(address));
            ServerClaim claim = ClaimCodec.decodeClaim(address.toString(), data);
            if (!claim.cluster().equals(cluster)) {
                return List.of();
            }
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (StoreException.Malformed e) {
            // unreadable: ours to clean up, since the topology names the server
        }
        return List.of(zk.client().transactionOp().delete().withVersion(stat.getVersion()).forPath(StorePaths.server(address)));
    }

    private static String groupOf(Topology t, HostPort address) {
        return t.groups().stream()
                .filter(g -> g.master().equals(address) || g.replicas().contains(address))
                .findFirst().orElseThrow().id();
    }
}
