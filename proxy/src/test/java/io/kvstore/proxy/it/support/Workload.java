package io.kvstore.proxy.it.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * A reproducible mix of single-key commands over strings, counters, lists and hashes, each with
 * the reply Redis must give, worked out by a model of the keyspace as the list is built. Keys
 * are plain names, so they spread over every shard. Expected replies are canonical: a status or
 * bulk string as {@link String}, a missing value as null, integers and booleans as {@link Long}
 * (see {@link #canonical}).
 */
public final class Workload {

    public enum Op { SET, GET, INCR, LPUSH, LLEN, HSET, HGET, EXISTS, APPEND }

    /** One command; {@code field} is used by hash commands only. */
    public record Command(Op op, String key, String field, String value, Object expected) {
        @Override
        public String toString() {
            return op + " " + key + (field == null ? "" : " " + field) + (value == null ? "" : " " + value)
                    + " -> " + expected;
        }
    }

    private Workload() {
    }

    /**
     * {@code n} commands on keys {@code prefix...}, starting from an empty keyspace; about
     * {@code keysPerType} keys of each type are used.
     */
    public static List<Command> generate(String prefix, int n, long seed, int keysPerType) {
        Random r = new Random(seed);
        Map<String, String> strings = new HashMap<>();
        Map<String, Long> counters = new HashMap<>();
        Map<String, Long> lists = new HashMap<>();
        Map<String, Map<String, String>> hashes = new HashMap<>();
        List<Command> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String s = prefix + "s:" + r.nextInt(keysPerType);
            String v = "v" + i;
            switch (r.nextInt(11)) {
                case 0, 1 -> {
                    strings.put(s, v);
                    out.add(new Command(Op.SET, s, null, v, "OK"));
                }
                case 2, 3 -> out.add(new Command(Op.GET, s, null, null, strings.get(s)));
                case 4 -> {
                    String c = prefix + "c:" + r.nextInt(keysPerType);
                    out.add(new Command(Op.INCR, c, null, null, counters.merge(c, 1L, Long::sum)));
                }
                case 5 -> {
                    String l = prefix + "l:" + r.nextInt(keysPerType);
                    out.add(new Command(Op.LPUSH, l, null, v, lists.merge(l, 1L, Long::sum)));
                }
                case 6 -> {
                    String l = prefix + "l:" + r.nextInt(keysPerType);
                    out.add(new Command(Op.LLEN, l, null, null, lists.getOrDefault(l, 0L)));
                }
                case 7 -> {
                    String h = prefix + "h:" + r.nextInt(keysPerType);
                    String f = "f" + r.nextInt(8);
                    boolean added = hashes.computeIfAbsent(h, k -> new HashMap<>()).put(f, v) == null;
                    out.add(new Command(Op.HSET, h, f, v, added ? 1L : 0L));
                }
                case 8 -> {
                    String h = prefix + "h:" + r.nextInt(keysPerType);
                    String f = "f" + r.nextInt(8);
                    Map<String, String> fields = hashes.get(h);
                    out.add(new Command(Op.HGET, h, f, null, fields == null ? null : fields.get(f)));
                }
                case 9 -> out.add(new Command(Op.EXISTS, s, null, null, strings.containsKey(s) ? 1L : 0L));
                default -> {
                    String next = strings.getOrDefault(s, "") + "+";
                    strings.put(s, next);
                    out.add(new Command(Op.APPEND, s, null, "+", (long) next.length()));
                }
            }
        }
        return out;
    }

    /** Queues every command on Jedis pipeline {@code p}; the responses in order, filled at {@code p.sync()}. */
    public static List<Response<?>> queue(Pipeline p, List<Command> commands) {
        List<Response<?>> replies = new ArrayList<>(commands.size());
        for (Command c : commands) {
            replies.add(switch (c.op()) {
                case SET -> p.set(c.key(), c.value());
                case GET -> p.get(c.key());
                case INCR -> p.incr(c.key());
                case LPUSH -> p.lpush(c.key(), c.value());
                case LLEN -> p.llen(c.key());
                case HSET -> p.hset(c.key(), c.field(), c.value());
                case HGET -> p.hget(c.key(), c.field());
                case EXISTS -> p.exists(c.key());
                case APPEND -> p.append(c.key(), c.value());
            });
        }
        return replies;
    }

    /** A client's reply in the canonical form of {@link Command#expected()}. */
    public static Object canonical(Object reply) {
        if (reply instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        if (reply instanceof Integer i) {
            return (long) i;
        }
        return reply;
    }
}
