package io.kvstore.config.store;

import static io.kvstore.config.store.StoreJson.FORMAT_VERSION;
import static io.kvstore.config.store.StoreJson.JSON;
import static io.kvstore.config.store.StoreJson.array;
import static io.kvstore.config.store.StoreJson.bytes;
import static io.kvstore.config.store.StoreJson.checkVersion;
import static io.kvstore.config.store.StoreJson.integer;
import static io.kvstore.config.store.StoreJson.parse;
import static io.kvstore.config.store.StoreJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON of a cluster's topology node ({@code clusters/NAME/topology}), both ways, in the
 * versioned format of {@link StoreJson}. Stateless; any thread.
 */
public final class TopologyCodec {

    private TopologyCodec() {
    }

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
}
