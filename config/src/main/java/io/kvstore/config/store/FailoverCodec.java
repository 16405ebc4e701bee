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
import io.kvstore.config.HostPort;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON of a failover record ({@code failover/f-N}), both ways, in the versioned format of
 * {@link StoreJson}. Stateless; any thread.
 */
public final class FailoverCodec {

    private FailoverCodec() {
    }

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
}
