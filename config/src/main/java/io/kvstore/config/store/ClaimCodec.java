package io.kvstore.config.store;

import static io.kvstore.config.store.StoreJson.FORMAT_VERSION;
import static io.kvstore.config.store.StoreJson.JSON;
import static io.kvstore.config.store.StoreJson.bytes;
import static io.kvstore.config.store.StoreJson.checkVersion;
import static io.kvstore.config.store.StoreJson.parse;
import static io.kvstore.config.store.StoreJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON of a server claim ({@code servers/HOST:PORT}: which cluster and group a redis-server
 * belongs to), both ways, in the versioned format of {@link StoreJson}. Stateless; any thread.
 */
public final class ClaimCodec {

    private ClaimCodec() {
    }

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
}
