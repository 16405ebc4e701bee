package io.kvstore.config.store;

import static io.kvstore.config.store.StoreJson.FORMAT_VERSION;
import static io.kvstore.config.store.StoreJson.JSON;
import static io.kvstore.config.store.StoreJson.bytes;
import static io.kvstore.config.store.StoreJson.checkVersion;
import static io.kvstore.config.store.StoreJson.integer;
import static io.kvstore.config.store.StoreJson.parse;
import static io.kvstore.config.store.StoreJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.config.HostPort;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The JSON a proxy writes about itself, both ways: its registration ({@code proxies/ID}) and its
 * health view ({@code health/ID}), in the versioned format of {@link StoreJson}. Stateless; any
 * thread.
 */
public final class ProxyCodec {

    private ProxyCodec() {
    }

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
}
