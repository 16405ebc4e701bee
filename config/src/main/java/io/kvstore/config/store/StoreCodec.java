package io.kvstore.config.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON kept in ZooKeeper, both ways. Stateless; any thread.
 *
 * <p>Every value is an object with a {@code "version"} field, the format version. A reader
 * accepts every version up to {@link #FORMAT_VERSION} and ignores fields it does not know, so a
 * newer proxy reads an older layout and an older proxy reads a newer one as long as the format
 * version did not change; a writer that changes the meaning of a field bumps the version. The
 * layout is described in {@code doc/zookeeper-layout.md}.
 */
public final class StoreCodec {

    /** The newest format version this code reads, and the one it writes. */
    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    private StoreCodec() {
    }

    // ---------------------------------------------------------------- topology

    /**
     * {@code {"version":1,"cluster":..,"mode":..,"epoch":..,"groups":[..],"slots":[[start,end,group],..],"writeId":..}}.
     * {@code writeId} names the write that produced the node, so a writer whose reply was lost
     * can tell whether its write happened.
     */
    public static byte[] encodeTopology(Topology t, String writeId) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", FORMAT_VERSION);
        root.put("cluster", t.cluster());
        root.put("mode", t.mode().wireName());
        root.put("epoch", t.epoch());
        ArrayNode groups = root.putArray("groups");
        for (Group g : t.groups()) {
            ObjectNode n = groups.addObject();
            n.put("id", g.id());
            n.put("master", g.master().toString());
            ArrayNode replicas = n.putArray("replicas");
            g.replicas().forEach(r -> replicas.add(r.toString()));
            n.put("state", t.state(g.id()).wireName());
        }
        ArrayNode slots = root.putArray("slots");
        for (SlotRange r : t.ranges()) {
            slots.addArray().add(r.start()).add(r.end()).add(r.groupId());
        }
        List<SlotRange> migrating = t.migrating();
        if (!migrating.isEmpty()) {
            ArrayNode m = root.putArray("migrating");
            for (SlotRange r : migrating) {
                m.addArray().add(r.start()).add(r.end()).add(r.groupId());
            }
        }
        if (writeId != null) {
            root.put("writeId", writeId);
        }
        return bytes(root);
    }

    /** Decodes a topology node of cluster {@code cluster}; anything unreadable is {@link StoreException.Malformed}. */
    public static Topology decodeTopology(String cluster, byte[] data) {
        String where = "topology of cluster " + cluster;
        JsonNode root = parse(where, data);
        try {
            checkVersion(where, root);
            String name = text(root, "cluster");
            if (!name.equals(cluster)) {
                throw new IllegalArgumentException("it names cluster '" + name + "'");
            }
            ClusterMode mode = ClusterMode.parse(text(root, "mode"));
            long epoch = integer(root, "epoch");
            List<Group> groups = new ArrayList<>();
            List<GroupState> states = new ArrayList<>();
            for (JsonNode g : array(root, "groups")) {
                List<HostPort> replicas = new ArrayList<>();
                JsonNode rs = g.get("replicas");
                if (rs != null && !rs.isNull()) {
                    if (!rs.isArray()) {
                        throw new IllegalArgumentException("'replicas' must be an array");
                    }
                    rs.forEach(r -> replicas.add(HostPort.parse(r.asText())));
                }
                groups.add(new Group(text(g, "id"), HostPort.parse(text(g, "master")), replicas, BackendAuth.NONE));
                states.add(g.hasNonNull("state") ? GroupState.parse(text(g, "state")) : GroupState.ACTIVE);
            }
            List<SlotRange> ranges = ranges(array(root, "slots"));
            List<SlotRange> migrating = root.hasNonNull("migrating") ? ranges(array(root, "migrating")) : List.of();
            return Topology.of(cluster, mode, epoch, groups, states, ranges, migrating);
        } catch (IllegalArgumentException | StoreException.NotFound | StoreException.Conflict e) {
            throw new StoreException.Malformed(where + " is invalid: " + e.getMessage(), e);
        }
    }

    private static List<SlotRange> ranges(JsonNode array) {
        List<SlotRange> ranges = new ArrayList<>();
        for (JsonNode r : array) {
            if (!r.isArray() || r.size() != 3 || !r.get(0).canConvertToInt() || !r.get(1).canConvertToInt()
                    || !r.get(2).isTextual()) {
                throw new IllegalArgumentException("a slot range must be [start, end, \"group\"], got " + r);
            }
            ranges.add(new SlotRange(r.get(0).intValue(), r.get(1).intValue(), r.get(2).textValue()));
        }
        return ranges;
    }

    /** The {@code writeId} of a topology node, or null (unreadable, or written without one). */
    public static String writeId(byte[] data) {
        try {
            JsonNode root = JSON.readTree(data);
            return root != null && root.hasNonNull("writeId") ? root.get("writeId").asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- proxy registration

    /** {@code {"version":1,"id":..,"address":..,"startedAt":..,"appliedEpoch":..,"appliedAt":..,"error":..,"software":..}} */
    public static byte[] encodeProxy(ProxyRecord p) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", FORMAT_VERSION);
        root.put("id", p.id());
        root.put("address", p.address().toString());
        root.put("startedAt", p.startedAtMillis());
        root.put("appliedEpoch", p.appliedEpoch());
        root.put("appliedAt", p.appliedAtMillis());
        if (p.error() != null) {
            root.put("error", p.error());
        } else {
            root.putNull("error");
        }
        root.put("software", p.software());
        return bytes(root);
    }

    public static ProxyRecord decodeProxy(String id, byte[] data) {
        String where = "registration of proxy " + id;
        JsonNode root = parse(where, data);
        try {
            checkVersion(where, root);
            return new ProxyRecord(id, HostPort.parse(text(root, "address")), integer(root, "startedAt"),
                    integer(root, "appliedEpoch"), root.path("appliedAt").asLong(0),
                    root.hasNonNull("error") ? root.get("error").asText() : null,
                    root.hasNonNull("software") ? root.get("software").asText() : null);
        } catch (IllegalArgumentException e) {
            throw new StoreException.Malformed(where + " is invalid: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- server claims

    /** Which cluster and group a redis-server address belongs to. Immutable value. */
    public record ServerClaim(String cluster, String group) {
    }

    /** {@code {"version":1,"cluster":..,"group":..}} */
    public static byte[] encodeClaim(ServerClaim c) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", FORMAT_VERSION);
        root.put("cluster", c.cluster());
        root.put("group", c.group());
        return bytes(root);
    }

    public static ServerClaim decodeClaim(String address, byte[] data) {
        String where = "claim on server " + address;
        JsonNode root = parse(where, data);
        try {
            checkVersion(where, root);
            return new ServerClaim(text(root, "cluster"), text(root, "group"));
        } catch (IllegalArgumentException e) {
            throw new StoreException.Malformed(where + " is invalid: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static JsonNode parse(String where, byte[] data) {
        if (data == null || data.length == 0) {
            throw new StoreException.Malformed(where + " is empty", null);
        }
        try {
            JsonNode root = JSON.readTree(data);
            if (root == null || !root.isObject()) {
                throw new StoreException.Malformed(where + " is not a JSON object", null);
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new StoreException.Malformed(where + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new StoreException.Malformed(where + " is unreadable: " + e.getMessage(), e);
        }
    }

    private static void checkVersion(String where, JsonNode root) {
        JsonNode v = root.get("version");
        if (v == null || !v.canConvertToInt() || v.intValue() < 1) {
            throw new IllegalArgumentException("no format version");
        }
        if (v.intValue() > FORMAT_VERSION) {
            throw new StoreException.Malformed(where + " has format version " + v.intValue()
                    + ", written by a newer kvstore; this one reads up to version " + FORMAT_VERSION + ": upgrade it", null);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' must be a string");
        }
        return v.textValue();
    }

    private static long integer(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("field '" + field + "' must be an integer");
        }
        return v.longValue();
    }

    private static JsonNode array(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) {
            throw new IllegalArgumentException("field '" + field + "' must be an array");
        }
        return v;
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
