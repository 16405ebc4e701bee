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
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

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
     * {@code {"version":1,"cluster":..,"mode":..,"epoch":..,"groups":[..],"slots":[[start,end,group],..],
     * "migrating":[[start,end,target],..],"frozen":[[start,end,target],..],"writeId":..}}; the last three are optional.
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
        List<SlotRange> frozen = t.frozen();
        if (!frozen.isEmpty()) {
            ArrayNode f = root.putArray("frozen");
            for (SlotRange r : frozen) {
                f.addArray().add(r.start()).add(r.end()).add(r.groupId());
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
            List<SlotRange> frozen = root.hasNonNull("frozen") ? ranges(array(root, "frozen")) : List.of();
            return Topology.of(cluster, mode, epoch, groups, states, ranges, migrating, frozen);
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

    // ---------------------------------------------------------------- health views

    /**
     * {@code {"version":1,"proxy":..,"epoch":..,"at":..,"nodes":{"H:P":{"up":true,"since":..,"error":null},..}}}
     */
    public static byte[] encodeHealth(HealthReport h) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", FORMAT_VERSION);
        root.put("proxy", h.proxyId());
        root.put("epoch", h.epoch());
        root.put("at", h.atMillis());
        ObjectNode nodes = root.putObject("nodes");
        h.nodes().entrySet().stream()
                .sorted(Map.Entry.comparingByKey(Comparator.comparing(HostPort::toString)))
                .forEach(e -> {
                    ObjectNode n = nodes.putObject(e.getKey().toString());
                    n.put("up", e.getValue().up());
                    n.put("since", e.getValue().sinceMillis());
                    if (e.getValue().error() == null) {
                        n.putNull("error");
                    } else {
                        n.put("error", e.getValue().error());
                    }
                });
        return bytes(root);
    }

    public static HealthReport decodeHealth(String id, byte[] data) {
        String where = "health view of proxy " + id;
        JsonNode root = parse(where, data);
        try {
            checkVersion(where, root);
            Map<HostPort, HealthReport.NodeHealth> nodes = new HashMap<>();
            JsonNode ns = root.get("nodes");
            if (ns == null || !ns.isObject()) {
                throw new IllegalArgumentException("field 'nodes' must be an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = ns.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode n = e.getValue();
                if (!n.isObject() || !n.path("up").isBoolean()) {
                    throw new IllegalArgumentException("node " + e.getKey() + " needs a boolean 'up'");
                }
                nodes.put(HostPort.parse(e.getKey()), new HealthReport.NodeHealth(n.get("up").booleanValue(),
                        integer(n, "since"), n.hasNonNull("error") ? n.get("error").asText() : null));
            }
            return new HealthReport(id, integer(root, "epoch"), integer(root, "at"), nodes);
        } catch (IllegalArgumentException e) {
            throw new StoreException.Malformed(where + " is invalid: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- failover records

    /**
     * {@code {"version":1,"group":..,"kind":"auto|planned|rejoin","mode":..,"state":"requested|running|done|failed",
     * "oldMaster":..,"newMaster":..|null,"epochBefore":..,"epoch":..,"startedAt":..,"finishedAt":..,"lostBytes":..,
     * "by":..,"note":..,"slots":[[start,end],..]}}} ({@code slots} only when recorded); the id is the node's name, not stored.
     */
    public static byte[] encodeFailover(FailoverRecord f) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", FORMAT_VERSION);
        root.put("group", f.group());
        root.put("kind", f.kind().wireName());
        root.put("mode", f.mode().wireName());
        root.put("state", f.state().wireName());
        root.put("oldMaster", f.oldMaster().toString());
        if (f.newMaster() == null) {
            root.putNull("newMaster");
        } else {
            root.put("newMaster", f.newMaster().toString());
        }
        root.put("epochBefore", f.epochBefore());
        root.put("epoch", f.epoch());
        root.put("startedAt", f.startedAt());
        root.put("finishedAt", f.finishedAt());
        root.put("lostBytes", f.lostBytes());
        root.put("by", f.by());
        root.put("note", f.note());
        if (!f.slots().isEmpty()) {
            ArrayNode slots = root.putArray("slots");
            f.slots().forEach(r -> slots.addArray().add(r.start()).add(r.end()));
        }
        return bytes(root);
    }

    public static FailoverRecord decodeFailover(String id, byte[] data) {
        String where = "failover record " + id;
        JsonNode root = parse(where, data);
        try {
            checkVersion(where, root);
            return new FailoverRecord(id, text(root, "group"), FailoverRecord.Kind.parse(text(root, "kind")),
                    ClusterMode.parse(text(root, "mode")), FailoverRecord.State.parse(text(root, "state")),
                    HostPort.parse(text(root, "oldMaster")),
                    root.hasNonNull("newMaster") ? HostPort.parse(text(root, "newMaster")) : null,
                    integer(root, "epochBefore"), integer(root, "epoch"), integer(root, "startedAt"),
                    integer(root, "finishedAt"), integer(root, "lostBytes"),
                    root.path("by").asText(""), root.path("note").asText(""), failoverSlots(root, text(root, "group")));
        } catch (IllegalArgumentException e) {
            throw new StoreException.Malformed(where + " is invalid: " + e.getMessage(), e);
        }
    }

    private static List<SlotRange> failoverSlots(JsonNode root, String group) {
        List<SlotRange> out = new ArrayList<>();
        if (root.hasNonNull("slots")) {
            for (JsonNode r : array(root, "slots")) {
                if (!r.isArray() || r.size() != 2 || !r.get(0).canConvertToInt() || !r.get(1).canConvertToInt()) {
                    throw new IllegalArgumentException("a slot range must be [start, end], got " + r);
                }
                out.add(new SlotRange(r.get(0).intValue(), r.get(1).intValue(), group));
            }
        }
        return out;
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
