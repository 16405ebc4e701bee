package io.kvstore.config.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The redis-server parameters recorded for a whole cluster ({@code backend-config} node): each is
 * applied with CONFIG SET to every master and replica, and again to a server that joins or is
 * promoted. Immutable value; values are stored as the servers report them back (CONFIG GET after a
 * set), so a server's value can be compared with the recorded one byte for byte.
 *
 * @param params parameter name (lower case) to value, sorted by name
 */
public record BackendConfig(Map<String, String> params) {

    /** Format version of the JSON this code writes and reads. */
    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    public static final BackendConfig EMPTY = new BackendConfig(Map.of());

    public BackendConfig {
        params = Collections.unmodifiableMap(new TreeMap<>(params));
    }

    public BackendConfig with(String param, String value) {
        Map<String, String> next = new TreeMap<>(params);
        next.put(param, value);
        return new BackendConfig(next);
    }

    public BackendConfig without(String param) {
        Map<String, String> next = new TreeMap<>(params);
        next.remove(param);
        return new BackendConfig(next);
    }

    public byte[] encode() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", FORMAT_VERSION);
        ObjectNode p = root.putObject("params");
        params.forEach(p::put);
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the node's JSON; {@link StoreException.Malformed} when it cannot be understood. */
    public static BackendConfig decode(String cluster, byte[] data) {
        try {
            JsonNode root = JSON.readTree(data);
            if (root == null || !root.isObject()) {
                throw new StoreException.Malformed("backend-config of cluster " + cluster + " is not a JSON object", null);
            }
            if (root.path("version").asInt() > FORMAT_VERSION) {
                throw new StoreException.Malformed("backend-config of cluster " + cluster
                        + " was written by a newer kvstore; upgrade", null);
            }
            Map<String, String> params = new TreeMap<>();
            root.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
            return new BackendConfig(params);
        } catch (IOException e) {
            throw new StoreException.Malformed("backend-config of cluster " + cluster + " is unreadable: " + e.getMessage(), e);
        }
    }
}
