package io.kvstore.config.rewrite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.StoreClient;
import io.kvstore.config.store.StoreException;
import io.kvstore.config.store.StorePaths;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.TopologyCodec;
import io.kvstore.config.store.Versioned;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Reads and writes a cluster's {@code rewrite} node (its key rewrite rules, JSON). Blocking: never
 * call it on an event loop. Thread-safe as Curator is.
 *
 * <p>Invariant: every change of the rules is written in <em>one ZooKeeper transaction</em> with a
 * raise of the topology's epoch (compare-and-set on both nodes' versions). A proxy reads the rules
 * when it applies an epoch and only then reports that epoch, so "every registered proxy has
 * applied epoch E" (the barrier of a slot-map change) means every proxy uses the rules written
 * with E. A change is refused while slots are frozen for a migration (raising the epoch there
 * would thaw them); it is retried until they are not.
 */
public final class RewriteStore {

    private static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CuratorFramework zk;
    private final String cluster;
    private final String path;

    public RewriteStore(CuratorFramework zk, String cluster) {
        this.zk = zk;
        this.cluster = cluster;
        this.path = StorePaths.rewrite(cluster);
    }

    /** The rules; {@link RewriteRules#NONE} when none were ever written. */
    public RewriteRules read() {
        try {
            return decode(zk.getData().forPath(path));
        } catch (KeeperException.NoNodeException e) {
            return RewriteRules.NONE;
        } catch (StoreException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreException.Unavailable("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Applies {@code change} to the rules and writes the result together with the next topology
     * epoch; returns the rules written and that epoch. {@code change} may throw
     * {@link IllegalArgumentException}, {@link IllegalStateException} or
     * {@link java.util.NoSuchElementException} to refuse; that propagates unchanged.
     */
    public Published update(UnaryOperator<RewriteRules> change) {
        ClusterStore store = ClusterStore.using(zk);
        return StoreClient.retryCas("write " + path, attempt -> {
            Versioned<byte[]> rawTopology = store.readRaw(cluster);
            Topology topology = TopologyCodec.decodeTopology(cluster, rawTopology.value());
            if (!topology.frozen().isEmpty()) {
                pause(attempt); // a migration step waits for its mark to be confirmed: do not thaw it
                return null;
            }
            Stat stat = new Stat();
            byte[] data = null;
            try {
                data = zk.getData().storingStatIn(stat).forPath(path);
            } catch (KeeperException.NoNodeException absent) {
                stat = null;
            } catch (Exception e) {
                throw new StoreException.Unavailable("cannot read " + path + ": " + e.getMessage(), e);
            }
            RewriteRules next = change.apply(data == null ? RewriteRules.NONE : decode(data));
            Topology raised = topology.withMigrationsMoving(); // nothing is frozen: only the epoch changes
            zk.transaction().forOperations(
                    zk.transactionOp().setData().withVersion(rawTopology.version()).forPath(StorePaths.topology(cluster),
                            TopologyCodec.encodeTopology(raised, UUID.randomUUID().toString())),
                    stat == null ? zk.transactionOp().create().forPath(path, encode(next))
                            : zk.transactionOp().setData().withVersion(stat.getVersion()).forPath(path, encode(next)));
            return new Published(next, raised.epoch());
        }, () -> new StoreException.Conflict("could not write " + path + ": slots stayed frozen or other writers kept winning"));
    }

    /** Rules as written, and the topology epoch written with them: the epoch every proxy must confirm. */
    public record Published(RewriteRules rules, long epoch) {
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(Math.min(500, 20L * attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException.Unavailable("interrupted", e);
        }
    }

    /** {@code {"version":1,"nextGeneration":N,"rules":[{"pattern":..,"generation":..,"created":..,"bumped":..}]}}. */
    public static byte[] encode(RewriteRules rules) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", FORMAT_VERSION);
        root.put("nextGeneration", rules.nextGeneration());
        ArrayNode list = root.putArray("rules");
        for (RewriteRule r : rules.rules()) {
            list.addObject().put("pattern", r.pattern()).put("generation", r.generation())
                    .put("created", r.createdMillis()).put("bumped", r.bumpedMillis());
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The rules in {@code data}; {@link StoreException.Malformed} when they cannot be read. */
    public RewriteRules decode(byte[] data) {
        try {
            JsonNode root = JSON.readTree(data);
            int version = root.path("version").asInt(0);
            if (version < 1 || version > FORMAT_VERSION) {
                throw new IllegalArgumentException(version > FORMAT_VERSION
                        ? "written by a newer kvstore (format version " + version + "); upgrade" : "no format version");
            }
            List<RewriteRule> rules = new ArrayList<>();
            for (JsonNode n : root.path("rules")) {
                rules.add(new RewriteRule(n.path("pattern").asText(""), n.path("generation").asLong(0),
                        n.path("created").asLong(0), n.path("bumped").asLong(0)));
            }
            return new RewriteRules(rules, root.path("nextGeneration").asLong(1));
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new StoreException.Malformed("the key rewrite rules of cluster " + cluster + " (" + path
                    + ") cannot be read: " + e.getMessage(), e);
        }
    }
}
