package io.kvstore.proxy.diff;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * One RESP2 reply exactly as it came off the wire, with its parts for arrays. Immutable.
 *
 * <p>{@code raw} is the complete encoding (type byte to final CRLF); {@code line} is what follows
 * the type byte on the first line; {@code bulk} is the payload of a bulk string (null for a null
 * bulk and for other types); {@code items} are the elements of an array (null for a null array).
 */
record RawReply(char type, byte[] raw, String line, byte[] bulk, List<RawReply> items) {

    static final Comparator<RawReply> BY_BYTES = (a, b) -> Arrays.compareUnsigned(a.raw, b.raw);

    boolean isError() {
        return type == '-';
    }

    boolean isNull() {
        return (type == '$' || type == '*') && line.startsWith("-");
    }

    /** The text of a status, error or bulk reply (bulk as UTF-8); null for other types. */
    String text() {
        return switch (type) {
            case '+', '-' -> line;
            case '$' -> bulk == null ? null : new String(bulk, StandardCharsets.UTF_8);
            default -> null;
        };
    }

    long integer() {
        if (type != ':') {
            throw new IllegalStateException("not an integer reply: " + render());
        }
        return Long.parseLong(line);
    }

    static RawReply integer(long n) {
        byte[] raw = (":" + n + "\r\n").getBytes(StandardCharsets.US_ASCII);
        return new RawReply(':', raw, Long.toString(n), null, null);
    }

    static RawReply status(String s) {
        byte[] raw = ("+" + s + "\r\n").getBytes(StandardCharsets.UTF_8);
        return new RawReply('+', raw, s, null, null);
    }

    static RawReply bulk(byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("$" + payload.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
        out.writeBytes(new byte[] {'\r', '\n'});
        return new RawReply('$', out.toByteArray(), Integer.toString(payload.length), payload, null);
    }

    /** An array of {@code items}, re-encoded. */
    static RawReply array(List<RawReply> items) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + items.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (RawReply r : items) {
            out.writeBytes(r.raw);
        }
        return new RawReply('*', out.toByteArray(), Integer.toString(items.size()), null, List.copyOf(items));
    }

    /** This array with its elements sorted by their bytes: for replies whose order Redis does not define. */
    RawReply sorted() {
        if (type != '*' || items == null) {
            return this;
        }
        List<RawReply> copy = new ArrayList<>(items);
        copy.sort(BY_BYTES);
        return array(copy);
    }

    /** This reply with every array, at every depth, sorted by the bytes of its (sorted) elements. */
    RawReply deepSorted() {
        if (type != '*' || items == null) {
            return this;
        }
        List<RawReply> copy = new ArrayList<>();
        for (RawReply r : items) {
            copy.add(r.deepSorted());
        }
        copy.sort(BY_BYTES);
        return array(copy);
    }

    /** This array of (field, value) pairs with the pairs sorted: HGETALL of a hashtable-encoded hash. */
    RawReply sortedPairs() {
        if (type != '*' || items == null || items.size() % 2 != 0) {
            return this;
        }
        List<List<RawReply>> pairs = new ArrayList<>();
        for (int i = 0; i < items.size(); i += 2) {
            pairs.add(List.of(items.get(i), items.get(i + 1)));
        }
        pairs.sort((a, b) -> {
            int c = BY_BYTES.compare(a.get(0), b.get(0));
            return c != 0 ? c : BY_BYTES.compare(a.get(1), b.get(1));
        });
        List<RawReply> flat = new ArrayList<>();
        pairs.forEach(flat::addAll);
        return array(flat);
    }

    /** Non-negative integers (anywhere in the reply) replaced by one bucket value; -1 and -2 kept. */
    RawReply ttlBucketed() {
        if (type == ':') {
            long n = integer();
            return n >= 0 ? status("TTL>=0") : this;
        }
        if (type == '*' && items != null) {
            return array(items.stream().map(RawReply::ttlBucketed).toList());
        }
        return this;
    }

    boolean sameBytes(RawReply other) {
        return Arrays.equals(raw, other.raw);
    }

    /**
     * A compact human-readable form, used in failure messages and by {@code proxy=} expectations:
     * {@code +OK}, {@code -ERR x}, {@code :3}, {@code "text"}, {@code nil}, {@code [a,b]},
     * {@code nil*} for a null array.
     */
    String render() {
        return switch (type) {
            case '+', '-', ':' -> type + line;
            case '$' -> bulk == null ? "nil" : quote(bulk);
            case '*' -> items == null ? "nil*" : "[" + String.join(",", items.stream().map(RawReply::render).toList()) + "]";
            default -> "?" + line;
        };
    }

    private static String quote(byte[] b) {
        StringBuilder sb = new StringBuilder("\"");
        for (byte x : b) {
            int c = x & 0xff;
            if (c == '"' || c == '\\') {
                sb.append('\\').append((char) c);
            } else if (c >= 0x20 && c < 0x7f) {
                sb.append((char) c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.append('"').toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
