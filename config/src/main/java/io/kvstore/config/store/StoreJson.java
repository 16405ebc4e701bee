package io.kvstore.config.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * What every JSON value kept in ZooKeeper shares, for the codecs of this package
 * ({@link TopologyCodec}, {@link ProxyCodec}, {@link FailoverCodec}, {@link ClaimCodec}): the
 * mapper, the format version and the checked reads of fields. Stateless; any thread.
 *
 * <p>Every value is an object with a {@code "version"} field, the format version. A reader
 * accepts every version up to {@link #FORMAT_VERSION} and ignores fields it does not know, so a
 * newer proxy reads an older layout and an older proxy reads a newer one as long as the format
 * version did not change; a writer that changes the meaning of a field bumps the version. The
 * layout is described in {@code doc/zookeeper-layout.md}.
 */
final class StoreJson {

    /** The newest format version this code reads, and the one it writes. */
    static final int FORMAT_VERSION = 1;

    static final ObjectMapper JSON = new ObjectMapper();

    private StoreJson() {
    }

    static JsonNode parse(String where, byte[] data) {
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

    static void checkVersion(String where, JsonNode root) {
        JsonNode v = root.get("version");
        if (v == null || !v.canConvertToInt() || v.intValue() < 1) {
            throw new IllegalArgumentException("no format version");
        }
        if (v.intValue() > FORMAT_VERSION) {
            throw new StoreException.Malformed(where + " has format version " + v.intValue()
                    + ", written by a newer kvstore; this one reads up to version " + FORMAT_VERSION + ": upgrade it", null);
        }
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' must be a string");
        }
        return v.textValue();
    }

    static long integer(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("field '" + field + "' must be an integer");
        }
        return v.longValue();
    }

    static JsonNode array(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) {
            throw new IllegalArgumentException("field '" + field + "' must be an array");
        }
        return v;
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
