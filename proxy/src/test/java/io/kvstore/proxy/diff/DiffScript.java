package io.kvstore.proxy.diff;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import redis.clients.jedis.RedisProtocol;

/**
 * A differential script: one command per line, quoted like redis-cli input, read from a test
 * resource. Immutable once parsed.
 *
 * <p>A line is {@code [directive ...] COMMAND [arg ...]}; {@code #} starts a comment line.
 * Directives:
 * <ul>
 *   <li>{@code @c2}: run on each side's second connection (WATCH races, blocking pairs).</li>
 *   <li>{@code @unordered}: the reply is an array, a set or a map whose order Redis does not
 *       define; compare sorted.</li>
 *   <li>{@code @deep-unordered}: arrays, sets and maps at every depth compare sorted (FUNCTION
 *       LIST, whose functions come in the order of a Redis dict).</li>
 *   <li>{@code @pairs}: field/value pairs whose order Redis does not define (a RESP2 flat array, a
 *       RESP3 map or array of pairs); compare pairs sorted.</li>
 *   <li>{@code @ttl}: a time to live; non-negative integers are compared as one bucket.</li>
 *   <li>{@code @hello}: a HELLO reply; compared with the client id set to 0.</li>
 *   <li>{@code @resp2}, {@code @resp3}: run the line only in runs whose connections start in that
 *       protocol, for a reply whose {@code proxy=} rendering depends on it (a HELLO inside the
 *       script switches the protocol but not which lines run).</li>
 *   <li>{@code @scan-all}: a SCAN-family command with cursor 0; iterated to the end on each side
 *       and the set of everything returned compared.</li>
 *   <li>{@code @spans}: in spread mode the command's keys must live in two or more groups (checks
 *       that a splitting command really was split).</li>
 *   <li>{@code @expect-differ [spread] EXPECTATION}: a known, accepted difference (with {@code
 *       spread}, only when keys are spread; tagged runs compare as usual). EXPECTATION is one of
 *       {@code refused} (the proxy answers -ERR ... not supported by kvstore proxy; not sent to
 *       Redis), {@code crossslot} (the proxy answers -CROSSSLOT and, in spread mode, the keys do
 *       span slots: the default {@code --multi-key-scope slot}; not sent to Redis), {@code error=TEXT} (the proxy answers an error containing TEXT; not sent
 *       to Redis), {@code proxy=RENDERED} or {@code proxy~TEXT} (sent to both; the proxy's reply,
 *       rendered by {@link RawReply#render()}, equals RENDERED or contains TEXT, and differs
 *       from Redis's).</li>
 * </ul>
 * {@code $T} in any argument is replaced by the run's key prefix: empty (keys spread over the
 * shards as hashing puts them) or {@code {t}} (every key in one slot).
 */
record DiffScript(String name, List<Line> lines) {

    /** How a known difference is checked. */
    enum Expect { REFUSED, CROSSSLOT, ERROR, PROXY_EQUALS, PROXY_CONTAINS }

    record Expectation(Expect kind, boolean spreadOnly, String text) {
        /** Whether the command goes to the plain Redis too. */
        boolean sentToRedis() {
            return kind == Expect.PROXY_EQUALS || kind == Expect.PROXY_CONTAINS;
        }
    }

    /** How a reply is made comparable before the comparison, in declaration order. */
    enum Normaliser {
        UNORDERED("@unordered", RawReply::sorted),
        DEEP_UNORDERED("@deep-unordered", RawReply::deepSorted),
        PAIRS("@pairs", RawReply::sortedPairs),
        TTL("@ttl", RawReply::ttlBucketed),
        HELLO("@hello", RawReply::withoutClientId);

        final String directive;
        private final UnaryOperator<RawReply> apply;

        Normaliser(String directive, UnaryOperator<RawReply> apply) {
            this.directive = directive;
            this.apply = apply;
        }

        RawReply apply(RawReply reply) {
            return apply.apply(reply);
        }

        static Normaliser of(String directive) {
            for (Normaliser n : values()) {
                if (n.directive.equals(directive)) {
                    return n;
                }
            }
            return null;
        }
    }

    /** {@code only}: the protocol the line runs in, or null for both. */
    record Line(int number, String source, List<byte[]> args, boolean secondConnection, Set<Normaliser> normalisers,
                boolean scanAll, boolean spans, RedisProtocol only, Expectation expectation) {

        /** The reply made comparable: sorted, bucketed ... as the line's directives say. */
        RawReply normalise(RawReply reply) {
            RawReply r = reply;
            for (Normaliser n : normalisers) {
                r = n.apply(r);
            }
            return r;
        }

        /** Whether the line runs in a run whose connections start in {@code protocol}. */
        boolean runsIn(RedisProtocol protocol) {
            return only == null || only == protocol;
        }

        /** The arguments with {@code $T} replaced by {@code prefix}. */
        List<byte[]> expand(String prefix) {
            byte[] placeholder = "$T".getBytes(StandardCharsets.US_ASCII);
            byte[] with = prefix.getBytes(StandardCharsets.US_ASCII);
            List<byte[]> out = new ArrayList<>(args.size());
            for (byte[] a : args) {
                out.add(replaceAll(a, placeholder, with));
            }
            return out;
        }

        @Override
        public String toString() {
            return "line " + number + ": " + source;
        }
    }

    /** Commands the proxy runs on the client's own (dedicated) backend connection rather than a shared one. */
    private static final java.util.Set<String> DEDICATED = java.util.Set.of("blpop", "brpop", "blmove", "brpoplpush",
            "blmpop", "bzpopmin", "bzpopmax", "bzmpop", "xread", "xreadgroup", "multi", "exec", "discard", "watch",
            "unwatch");

    /** Whether some line runs on a dedicated backend connection (blocking commands, transactions). */
    boolean usesDedicatedConnections() {
        return lines.stream().anyMatch(l -> DEDICATED.contains(
                new String(l.args().get(0), StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT)));
    }

    static DiffScript load(String resource) {
        try (InputStream in = DiffScript.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource " + resource);
            }
            return parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DiffScript parse(String name, String text) {
        List<Line> lines = new ArrayList<>();
        String[] all = text.split("\n", -1);
        for (int i = 0; i < all.length; i++) {
            String src = all[i].strip();
            if (src.isEmpty() || src.startsWith("#")) {
                continue;
            }
            lines.add(parseLine(i + 1, src));
        }
        return new DiffScript(name, List.copyOf(lines));
    }

    private static Line parseLine(int number, String src) {
        List<byte[]> tokens = splitArgs(src, number);
        boolean c2 = false;
        Set<Normaliser> normalisers = EnumSet.noneOf(Normaliser.class);
        boolean scanAll = false;
        boolean spans = false;
        RedisProtocol only = null;
        Expectation expectation = null;
        int i = 0;
        while (i < tokens.size() && tokens.get(i).length > 0 && tokens.get(i)[0] == '@') {
            String d = new String(tokens.get(i++), StandardCharsets.UTF_8);
            Normaliser normaliser = Normaliser.of(d);
            if (normaliser != null) {
                normalisers.add(normaliser);
                continue;
            }
            switch (d) {
                case "@c2" -> c2 = true;
                case "@scan-all" -> scanAll = true;
                case "@spans" -> spans = true;
                case "@resp2" -> only = RedisProtocol.RESP2;
                case "@resp3" -> only = RedisProtocol.RESP3;
                case "@expect-differ" -> {
                    boolean spreadOnly = false;
                    String e = text(tokens, i++, number);
                    if (e.equals("spread")) {
                        spreadOnly = true;
                        e = text(tokens, i++, number);
                    }
                    expectation = expectation(e, spreadOnly, number);
                }
                default -> throw new IllegalArgumentException("line " + number + ": unknown directive " + d);
            }
        }
        if (i >= tokens.size()) {
            throw new IllegalArgumentException("line " + number + ": no command");
        }
        return new Line(number, src, List.copyOf(tokens.subList(i, tokens.size())), c2,
                Collections.unmodifiableSet(normalisers), scanAll, spans, only, expectation);
    }

    private static Expectation expectation(String e, boolean spreadOnly, int number) {
        if (e.equals("refused")) {
            return new Expectation(Expect.REFUSED, spreadOnly, "not supported by kvstore proxy");
        }
        if (e.equals("crossslot")) {
            return new Expectation(Expect.CROSSSLOT, spreadOnly, "CROSSSLOT Keys in request don't hash to the same slot");
        }
        if (e.startsWith("error=")) {
            return new Expectation(Expect.ERROR, spreadOnly, e.substring(6));
        }
        if (e.startsWith("proxy=")) {
            return new Expectation(Expect.PROXY_EQUALS, spreadOnly, e.substring(6));
        }
        if (e.startsWith("proxy~")) {
            return new Expectation(Expect.PROXY_CONTAINS, spreadOnly, e.substring(6));
        }
        throw new IllegalArgumentException("line " + number + ": unknown expectation " + e);
    }

    private static String text(List<byte[]> tokens, int i, int number) {
        if (i >= tokens.size()) {
            throw new IllegalArgumentException("line " + number + ": @expect-differ needs an expectation");
        }
        return new String(tokens.get(i), StandardCharsets.UTF_8);
    }

    /**
     * Splits a line into arguments as redis-cli does (sdssplitargs): whitespace separates;
     * "double quotes" take \n \r \t \b \a \\ \" and \xHH; 'single quotes' take \' only.
     */
    static List<byte[]> splitArgs(String line, int number) {
        byte[] s = line.getBytes(StandardCharsets.UTF_8);
        List<byte[]> out = new ArrayList<>();
        int p = 0;
        while (true) {
            while (p < s.length && Character.isWhitespace(s[p])) {
                p++;
            }
            if (p >= s.length) {
                return out;
            }
            ByteArrayOutputStream cur = new ByteArrayOutputStream();
            boolean inDq = false;
            boolean inSq = false;
            boolean done = false;
            while (!done) {
                if (inDq) {
                    if (p >= s.length) {
                        throw new IllegalArgumentException("line " + number + ": unbalanced double quotes");
                    }
                    if (s[p] == '\\' && p + 3 < s.length && s[p + 1] == 'x' && isHex(s[p + 2]) && isHex(s[p + 3])) {
                        cur.write(Integer.parseInt(new String(s, p + 2, 2, StandardCharsets.US_ASCII), 16));
                        p += 3;
                    } else if (s[p] == '\\' && p + 1 < s.length) {
                        p++;
                        cur.write(switch (s[p]) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> s[p];
                        });
                    } else if (s[p] == '"') {
                        if (p + 1 < s.length && !Character.isWhitespace(s[p + 1])) {
                            throw new IllegalArgumentException("line " + number + ": closing quote must be followed by a space");
                        }
                        done = true;
                    } else {
                        cur.write(s[p]);
                    }
                } else if (inSq) {
                    if (p >= s.length) {
                        throw new IllegalArgumentException("line " + number + ": unbalanced single quotes");
                    }
                    if (s[p] == '\\' && p + 1 < s.length && s[p + 1] == '\'') {
                        p++;
                        cur.write('\'');
                    } else if (s[p] == '\'') {
                        if (p + 1 < s.length && !Character.isWhitespace(s[p + 1])) {
                            throw new IllegalArgumentException("line " + number + ": closing quote must be followed by a space");
                        }
                        done = true;
                    } else {
                        cur.write(s[p]);
                    }
                } else {
                    if (p >= s.length || Character.isWhitespace(s[p])) {
                        done = true;
                    } else if (s[p] == '"') {
                        inDq = true;
                    } else if (s[p] == '\'') {
                        inSq = true;
                    } else {
                        cur.write(s[p]);
                    }
                }
                if (p < s.length) {
                    p++;
                }
            }
            out.add(cur.toByteArray());
        }
    }

    private static boolean isHex(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }

    static byte[] replaceAll(byte[] in, byte[] what, byte[] with) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 8);
        int i = 0;
        while (i < in.length) {
            if (i + what.length <= in.length && java.util.Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
                out.writeBytes(with);
                i += what.length;
            } else {
                out.write(in[i++]);
            }
        }
        return out.toByteArray();
    }
}
