package io.kvstore.config.store;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorWatcher;

/**
 * Reads a cluster's topology node for a proxy that follows it, each read leaving a ZooKeeper
 * watch on the node in the same request: one read per change, where a cache that fetches the
 * data to tell its listener, followed by the listener's own read, costs two. ZooKeeper sets the
 * watch with the read, so a change made after the version read fires it; none can slip in between
 * a read and the re-arming of its watch. The watch fires once and the next read arms it again; a
 * cluster that has no node gets a watch for the node's creation instead. Blocking: never on an
 * event loop; any thread. The callback runs on ZooKeeper's event thread and must only pass a hint.
 *
 * <p>Invariant: after each read that reached ZooKeeper a watch is armed for the node's next
 * change, creation or deletion; a read that did not reach it arms nothing, and the reader reads
 * again on reconnect (a new session has no watches). Re-reading with the watch still armed adds no
 * second one: ZooKeeper keeps each watcher once per node.
 */
public final class TopologyWatch {

    private final StoreClient zk;
    private final TopologyReads reads;
    private final String cluster;
    private final Runnable onEvent;
    private final CuratorWatcher watcher;

    /** {@code onEvent} is called on each watch event, connection events included (hints, not data). */
    public TopologyWatch(CuratorFramework client, String cluster, Runnable onEvent) {
        this.zk = new StoreClient(client);
        this.reads = new TopologyReads(zk);
        this.cluster = cluster;
        this.onEvent = onEvent;
        this.watcher = event -> onEvent.run();
    }

    /** The topology node's bytes and version, the watch re-armed; {@link StoreException.NotFound} when it does not exist. */
    public Versioned<byte[]> read() {
        try {
            return reads.readRaw(cluster, watcher);
        } catch (StoreException.NotFound e) {
            watchCreation();
            throw e;
        }
    }

    /** ZooKeeper's exists-watch fires when the node is created: a failed getData leaves no watch. */
    private void watchCreation() {
        String path = StorePaths.topology(cluster);
        try {
            if (zk.client().checkExists().usingWatcher(watcher).forPath(path) != null) {
                onEvent.run(); // created since the read: read again
            }
        } catch (Exception e) {
            throw zk.failure("watch " + path, e);
        }
    }
}
