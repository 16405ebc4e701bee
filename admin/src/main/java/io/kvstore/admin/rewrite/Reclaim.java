package io.kvstore.admin.rewrite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.admin.reshard.RateLimit;
import io.kvstore.admin.snapshot.KeyProgress;
import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.redis.RespClient;
import io.kvstore.config.rewrite.RewriteRules;
import io.kvstore.config.rewrite.RewriteStore;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.StoreException;
import io.kvstore.config.store.StorePaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.zookeeper.KeeperException;

/**
 * Deletes the keys of a rewrite pattern that no client can see any more (older generations, and
 * keys stored under their own names before the rule existed): one SCAN pass over every group's
 * master, UNLINK of the invisible ones, at most {@code rate} keys deleted per second. Resumable:
 * each group's SCAN cursor is saved in ZooKeeper ({@code rewrite-reclaim}) after every batch, and
 * a reclaim of the same pattern started again goes on from there. Main thread only.
 *
 * <p>Invariant: a key is deleted only if it is invisible under the rules read just before its
 * batch, and only while the pattern still has a rule; generations never come back (they only
 * grow), so a key invisible then stays invisible, unless the rule is removed (which stops the
 * reclaim at its next batch).
 *
 * <p>One reclaim per cluster at a time, from any host: a run holds a ZooKeeper mutex
 * ({@link #lockPath}) for its whole pass, and a second run is refused at once (a conflict) instead
 * of scanning the same keys and overwriting the saved cursors.
 */
public final class Reclaim {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SCAN_COUNT = 1000;
    private static final byte[] ZERO = {'0'};

    private final ClusterStore store;
    private final String cluster;
    private final String pattern;
    private final BackendAuth auth;
    private final int timeoutMs;
    private final RateLimit rate;
    private final String path;

    public Reclaim(ClusterStore store, String cluster, String pattern, BackendAuth auth, int timeoutMs, int keysPerSecond) {
        this.store = store;
        this.cluster = cluster;
        this.pattern = pattern;
        this.auth = auth;
        this.timeoutMs = timeoutMs;
        this.rate = new RateLimit(keysPerSecond);
        this.path = StorePaths.cluster(cluster) + "/rewrite-reclaim";
    }

    /** What a finished reclaim did. */
    public record Result(long scanned, long deleted, boolean resumed) {
    }

    /** Runs (or resumes) the reclaim to its end; the saved state is deleted when every group is done. */
    public Result run(KeyProgress progress) throws IOException {
        InterProcessMutex lock = new InterProcessMutex(store.client(), lockPath(cluster));
        try {
            if (!lock.acquire(0, TimeUnit.MILLISECONDS)) {
                throw new StoreException.Conflict("another reclaim of cluster " + cluster + " is running (it holds "
                        + lockPath(cluster) + "); wait for it to finish, or stop it and run this again to resume");
            }
        } catch (StoreException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreException.Unavailable("cannot take the reclaim lock " + lockPath(cluster) + ": " + e.getMessage(), e);
        }
        try {
            return runLocked(progress);
        } finally {
            try {
                lock.release();
            } catch (Exception e) {
                // the lock node is ephemeral: it goes with this session at the latest
            }
        }
    }

    /** The ZooKeeper mutex a reclaim of {@code cluster} holds while it runs. */
    public static String lockPath(String cluster) {
        return StorePaths.cluster(cluster) + "/rewrite-reclaim-lock";
    }

    private Result runLocked(KeyProgress progress) throws IOException {
        RewriteStore rules = new RewriteStore(store.client(), cluster);
        if (rules.read().rule(pattern) == null) {
            throw new StoreException.NotFound("no rewrite rule for " + pattern + " in cluster " + cluster);
        }
        ObjectNode state = loadState();
        boolean resumed = state.has("cursors");
        ObjectNode cursors = state.has("cursors") ? (ObjectNode) state.get("cursors") : state.putObject("cursors");
        state.put("version", 1);
        state.put("pattern", pattern);
        long scanned = 0;
        long deleted = state.path("deleted").asLong(0);
        for (Group g : store.read(cluster).value().groups()) {
            byte[] cursor = cursors.path(g.id()).asText("0").getBytes(StandardCharsets.US_ASCII);
            if (cursors.path(g.id()).asText("").equals("done")) {
                continue;
            }
            try (RespClient c = RespClient.connect(g.master(), auth, timeoutMs)) {
                do {
                    List<?> reply = (List<?>) c.callRaw(bytes("SCAN"), cursor, bytes("COUNT"), bytes(Integer.toString(SCAN_COUNT)));
                    cursor = (byte[]) reply.get(0);
                    RewriteRules now = rules.read();
                    if (now.rule(pattern) == null) {
                        throw new StoreException.Conflict("the rule for " + pattern + " was removed: reclaim stopped");
                    }
                    List<byte[]> stale = new ArrayList<>();
                    for (Object k : (List<?>) reply.get(1)) {
                        if (now.stale((byte[]) k, pattern)) {
                            stale.add((byte[]) k);
                        }
                    }
                    scanned += ((List<?>) reply.get(1)).size();
                    if (!stale.isEmpty()) {
                        rate.acquire(stale.size());
                        List<byte[]> unlink = new ArrayList<>(stale.size() + 1);
                        unlink.add(bytes("UNLINK"));
                        unlink.addAll(stale);
                        deleted += ((Number) c.callRaw(unlink.toArray(new byte[0][]))).longValue();
                    }
                    progress.add(((List<?>) reply.get(1)).size(), 0);
                    boolean last = cursor.length == 1 && cursor[0] == '0';
                    cursors.put(g.id(), last ? "done" : new String(cursor, StandardCharsets.US_ASCII));
                    state.put("deleted", deleted);
                    saveState(state);
                } while (!(cursor.length == 1 && cursor[0] == '0'));
            }
        }
        deleteState();
        return new Result(scanned, deleted, resumed);
    }

    /** The keys on every master (DBSIZE): what one pass scans, for the progress bar. */
    public long keyCount() throws IOException {
        long n = 0;
        for (Group g : store.read(cluster).value().groups()) {
            try (RespClient c = RespClient.connect(g.master(), auth, timeoutMs)) {
                n += ((Number) c.call("DBSIZE")).longValue();
            }
        }
        return n;
    }

    private ObjectNode loadState() {
        try {
            JsonNode n = JSON.readTree(store.client().getData().forPath(path));
            if (!pattern.equals(n.path("pattern").asText())) {
                throw new StoreException.Conflict("a reclaim of " + n.path("pattern").asText() + " is under way (or was"
                        + " stopped): finish it first (kvstore-admin rewrite reclaim " + cluster + " '"
                        + n.path("pattern").asText() + "')");
            }
            return (ObjectNode) n;
        } catch (KeeperException.NoNodeException e) {
            return JSON.createObjectNode();
        } catch (StoreException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreException.Unavailable("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private void saveState(ObjectNode state) {
        CuratorFramework zk = store.client();
        try {
            byte[] data = JSON.writeValueAsBytes(state);
            if (zk.checkExists().forPath(path) == null) {
                zk.create().forPath(path, data);
            } else {
                zk.setData().forPath(path, data);
            }
        } catch (Exception e) {
            throw new StoreException.Unavailable("cannot save the reclaim's progress in " + path + ": " + e.getMessage(), e);
        }
    }

    private void deleteState() {
        try {
            store.client().delete().forPath(path);
        } catch (KeeperException.NoNodeException gone) {
            // nothing was saved: no batch
        } catch (Exception e) {
            throw new StoreException.Unavailable("cannot delete " + path + ": " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
