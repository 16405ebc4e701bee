package io.kvstore.config.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.api.WatchPathable;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Lists the clusters and reads their topology nodes, with the node's version for a later
 * compare-and-set. Blocking: never on an event loop; any thread.
 *
 * <p>Invariant: a cluster that has no topology node is reported as {@link StoreException.NotFound}
 * naming the clusters there are, never as an empty or partial value.
 */
final class TopologyReads {

    private final StoreClient zk;

    TopologyReads(StoreClient zk) {
        this.zk = zk;
    }

    /** Names of the clusters that have a topology, sorted. */
    List<String> clusters() {
        List<String> out = new ArrayList<>();
        for (String name : zk.children(StorePaths.CLUSTERS)) {
            if (Topology.NAME.matcher(name).matches() && zk.exists(StorePaths.topology(name))) {
                out.add(name);
            }
        }
        Collections.sort(out);
        return out;
    }

    /** The topology of {@code cluster}, decoded. */
    Versioned<Topology> read(String cluster) {
        Versioned<byte[]> raw = readRaw(cluster);
        return new Versioned<>(TopologyCodec.decodeTopology(cluster, raw.value()), raw.version(), raw.modifiedMillis());
    }

    /** The topology node's bytes, undecoded. */
    Versioned<byte[]> readRaw(String cluster) {
        return readRaw(cluster, null);
    }

    /**
     * The same, leaving {@code watch} (when not null) on the node in the same request: it fires at
     * the node's next change after the version read (see {@link TopologyWatch}).
     */
    Versioned<byte[]> readRaw(String cluster, CuratorWatcher watch) {
        String path = StorePaths.topology(cluster);
        try {
            Stat stat = new Stat();
            WatchPathable<byte[]> get = zk.client().getData().storingStatIn(stat);
            byte[] data = watch == null ? get.forPath(path) : get.usingWatcher(watch).forPath(path);
            return new Versioned<>(data, stat.getVersion(), stat.getMtime());
        } catch (KeeperException.NoNodeException e) {
            throw notFound(cluster);
        } catch (Exception e) {
            throw zk.failure("read cluster " + cluster, e);
        }
    }

    /** The topology node's bytes, or empty if the cluster does not exist. */
    Optional<Versioned<byte[]>> readIfExists(String cluster) {
        try {
            return Optional.of(readRaw(cluster));
        } catch (StoreException.NotFound e) {
            return Optional.empty();
        }
    }

    private StoreException.NotFound notFound(String cluster) {
        List<String> known;
        try {
            known = clusters();
        } catch (StoreException e) {
            known = List.of();
        }
        return new StoreException.NotFound("no cluster '" + cluster + "' in " + zk.where()
                + (known.isEmpty() ? " (there are no clusters yet)" : "; clusters: " + String.join(", ", known)));
    }
}
