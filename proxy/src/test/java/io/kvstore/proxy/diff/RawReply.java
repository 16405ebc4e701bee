package io.kvstore.proxy.diff;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One RESP2 or RESP3 reply exactly as it came off the wire, with its parts for aggregates.
 * Immutable.
 *
 * <p>{@code type} is the type byte: {@code + - :} and RESP3's {@code _ , # (} carry a line;
 * {@code $}, RESP3's verbatim {@code =} and blob error {@code !} carry a payload; {@code *}
 * and RESP3's set {@code ~}, map {@code %}, push {@code >} and attribute {@code |} carry
 * elements. {@code raw} is the complete encoding (type byte to final CRLF, attribute included);
 * {@code line} is what follows the type byte on the first line; {@code bulk} is the payload of
 * a blob (null for a RESP2 null bulk and for other types); {@code items} are the elements of an
 * aggregate, a map's keys and values alternating (null for a RESP2 null array and for other
 * types); {@code attribute} is the RESP3 attribute ({@code |}) that came just before this
 * value, or null.
 */
record RawReply(char type, byte[] raw, String line, byte[] bulk, List<RawReply> items, RawReply attribute) {

    static final Comparator<RawReply> BY_BYTES = (a, b) -> Arrays.compareUnsigned(a.raw, b.raw);

    /** Types whose first line is the whole value. */
    static final String SIMPLE = "+-:_,#(";
    /** Types with a length-prefixed payload. */
    static final String BLOB = "$=!";
    /** Types with elements; a map's and an attribute's count is of pairs. */
    static final String AGGREGATE = "*~%>|";

    static boolean pairCounted(char type) {
        return type == '%' || type == '|';
    }

    boolean isError() {
        return type == '-' || type == '!';
    }

    /** RESP3's null, or a RESP2 null bulk or null array. */
    boolean isNull() {
        return type == '_' || ((type == '$' || type == '*') && line.startsWith("-"));
    }

    /** A map, or (as RESP2 sends one) an array of alternating keys and values. */
    boolean isMapLike() {
        return items != null && (type == '%' || (type == '*' && items.size() % 2 == 0));
    }

    /** The text of a status, error, blob or verbatim reply (payload as UTF-8); null for other types. */
    String text() {
        return switch (type) {
            case '+', '-' -> line;
            case '$', '=', '!' -> bulk == null ? null : new String(bulk, StandardCharsets.UTF_8);
            default -> null;
        };
    }

    long integer() {
        if (type != ':') {
            throw new IllegalStateException("not an integer reply: " + render());
        }
        return Long.parseLong(line);
    }

    /** The value of {@code key} in a map-like reply (HELLO, CONFIG GET, XINFO ...); null when absent. */
    RawReply field(String key) {
        if (!isMapLike()) {
            throw new IllegalStateException("not a map: " + render());
        }
        for (int i = 0; i < items.size(); i += 2) {
            if (key.equals(items.get(i).text())) {
                return items.get(i + 1);
            }
        }
        return null;
    }

    static RawReply integer(long n) {
        byte[] raw = (":" + n + "\r\n").getBytes(StandardCharsets.US_ASCII);
        return new RawReply(':', raw, Long.toString(n), null, null, null);
    }

    static RawReply status(String s) {
        byte[] raw = ("+" + s + "\r\n").getBytes(StandardCharsets.UTF_8);
        return new RawReply('+', raw, s, null, null, null);
    }

    static RawReply bulk(byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("$" + payload.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
        out.writeBytes(new byte[] {'\r', '\n'});
        return new RawReply('$', out.toByteArray(), Integer.toString(payload.length), payload, null, null);
    }

    /** An array of {@code items}, re-encoded. */
    static RawReply array(List<RawReply> items) {
        return aggregate('*', items, null);
    }

    /** An aggregate of {@code type} (a map's items alternate keys and values), re-encoded after {@code attribute}. */
    static RawReply aggregate(char type, List<RawReply> items, RawReply attribute) {
        int count = pairCounted(type) ? items.size() / 2 : items.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (attribute != null) {
            out.writeBytes(attribute.raw);
        }
        out.writeBytes((type + Integer.toString(count) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (RawReply r : items) {
            out.writeBytes(r.raw);
        }
        return new RawReply(type, out.toByteArray(), Integer.toString(count), null, List.copyOf(items), attribute);
    }

    /** This value as received after {@code attr}: its raw bytes are the attribute's followed by its own. */
    RawReply after(RawReply attr) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(attr.raw);
        out.writeBytes(raw);
        return new RawReply(type, out.toByteArray(), line, bulk, items, attr);
    }

    /** The same kind of aggregate with other elements (keeping the attribute). */
    private RawReply with(List<RawReply> newItems) {
        return aggregate(type, newItems, attribute);
    }

    private boolean isArrayOrSet() {
        return (type == '*' || type == '~') && items != null;
    }

    /**
     * This array or set with its elements sorted by their bytes, or this map with its pairs
     * sorted: for replies whose order Redis does not define (SMEMBERS, KEYS, HGETALL of a
     * hashtable).
     */
    RawReply sorted() {
        if (type == '%') {
            return sortedPairs();
        }
        if (!isArrayOrSet()) {
            return this;
        }
        List<RawReply> copy = new ArrayList<>(items);
        copy.sort(BY_BYTES);
        return with(copy);
    }

    /** This reply with every array, set and map, at every depth, sorted as {@link #sorted()} does, innermost first. */
    RawReply deepSorted() {
        if (!isArrayOrSet() && type != '%') {
            return this;
        }
        return with(items.stream().map(RawReply::deepSorted).toList()).sorted();
    }

    /**
     * This reply's (field, value) pairs sorted: a map, a RESP2 array of alternating fields and
     * values, or a RESP3 array of two-element arrays (HRANDFIELD ... WITHVALUES); for HGETALL of
     * a hashtable-encoded hash.
     */
    RawReply sortedPairs() {
        if (type == '*' && items != null && items.stream().allMatch(i -> i.type == '*' && i.items != null
                && i.items.size() == 2)) {
            return sorted();
        }
        if (!isMapLike()) {
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
        return with(flat);
    }

    /** Non-negative integers (anywhere in the reply) replaced by one bucket value; -1 and -2 kept. */
    RawReply ttlBucketed() {
        if (type == ':') {
            long n = integer();
            return n >= 0 ? status("TTL>=0") : this;
        }
        return mapItems(RawReply::ttlBucketed);
    }

    /**
     * A HELLO reply with its connection id (which no two connections share) replaced by 0, so
     * that the rest compares byte for byte; other replies (an error) as they are.
     */
    RawReply withoutClientId() {
        if (!isMapLike() || field("id") == null) {
            return this;
        }
        List<RawReply> copy = new ArrayList<>(items);
        for (int i = 0; i < copy.size(); i += 2) {
            if ("id".equals(copy.get(i).text())) {
                copy.set(i + 1, integer(0));
            }
        }
        return with(copy);
    }

    private RawReply mapItems(UnaryOperator<RawReply> f) {
        if (items == null || type == '|') {
            return this;
        }
        return with(items.stream().map(f).toList());
    }

    boolean sameBytes(RawReply other) {
        return Arrays.equals(raw, other.raw);
    }

    /**
     * A compact human-readable form, used in failure messages and by {@code proxy=} expectations.
     * RESP2: {@code +OK}, {@code -ERR x}, {@code :3}, {@code "text"}, {@code nil} (null bulk),
     * {@code [a,b]}, {@code nil*} (null array). RESP3 adds {@code null}, {@code ,1.5},
     * {@code #t}, {@code (12345}, {@code ="txt:text"} (verbatim), {@code !"ERR x"} (blob
     * error), {@code ~[a,b]} (set), {@code {k:v,k:v}} (map), {@code >[a,b]} (push), and an
     * attribute before its value: {@code |{k:v}"value"}.
     */
    String render() {
        String value = switch (type) {
            case '+', '-', ':', ',', '#', '(' -> type + line;
            case '_' -> "null";
            case '$' -> bulk == null ? "nil" : quote(bulk);
            case '=', '!' -> type + quote(bulk);
            case '*' -> items == null ? "nil*" : list("[", items);
            case '~', '>' -> type + list("[", items);
            case '%', '|' -> (type == '|' ? "|" : "") + map(items);
            default -> "?" + line;
        };
        return attribute == null ? value : attribute.render() + value;
    }

    private static String list(String open, List<RawReply> items) {
        return open + String.join(",", items.stream().map(RawReply::render).toList()) + "]";
    }

    private static String map(List<RawReply> items) {
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i + 1 < items.size(); i += 2) {
            pairs.add(items.get(i).render() + ":" + items.get(i + 1).render());
        }
        return "{" + String.join(",", pairs) + "}";
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
