package io.kvstore.proxy.diff;

import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.diff.DiffScript.Expect;
import io.kvstore.proxy.diff.DiffScript.Expectation;
import io.kvstore.proxy.diff.DiffScript.Line;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.testing.RedisServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.args.FlushMode;

/**
 * Runs a {@link DiffScript} against one plain redis-server and through the proxy, line by line,
 * and records every reply that differs. One run, one thread; the connections it opens are
 * closed when the run ends.
 */
final class DiffRunner {

    /** How keys are written: {@code $T} becomes the prefix. */
    enum Mode {
        /** Keys as written: hashing spreads them over the shards. */
        SPREAD(""),
        /** Every key under one hash tag: one slot, one shard. */
        TAGGED("{t}");

        final String prefix;

        Mode(String prefix) {
            this.prefix = prefix;
        }
    }

    /** A reply that differs as the script says it may; {@code redis} is null when Redis was not asked. */
    record Difference(String script, Mode mode, RedisProtocol protocol, Line line, RawReply redis, RawReply proxy) {
        @Override
        public String toString() {
            return script + " [" + mode + ", " + protocol + "] " + line
                    + "\n      redis: " + (redis == null ? "(not sent)" : redis.render())
                    + "\n      proxy: " + proxy.render();
        }
    }

    /** The outcome of one run. */
    record Result(List<String> mismatches, List<Difference> differences, int commands, int spanning) {
    }

    private static final int SCAN_LIMIT = 10_000;

    private final int redisPort;
    private final int proxyPort;
    /** The proxy's slot map; null in a reference run. */
    private final SlotMap map;

    DiffRunner(int redisPort, int proxyPort, SlotMap map) {
        this.redisPort = redisPort;
        this.proxyPort = proxyPort;
        this.map = map;
    }

    /**
     * A runner of two plain redis-servers, the second standing where the proxy would: a check of
     * the scripts and of this harness (parsing, normalising) with no proxy in the way. Lines that
     * only the proxy is sent ({@code refused}, {@code crossslot}, {@code error=}) are left out;
     * every other line, its expected difference ignored, must match byte for byte; {@code @spans}
     * is not checked.
     */
    static DiffRunner reference(int redisPort, int otherRedisPort) {
        return new DiffRunner(redisPort, otherRedisPort, null);
    }

    private boolean reference() {
        return map == null;
    }

    /** The port of every server behind both sides: each of the cluster's shards, then the plain redis-server. */
    static List<Integer> serverPorts(ProxyCluster cluster, RedisServer plain) {
        List<Integer> ports = new ArrayList<>();
        cluster.shards().forEach(s -> ports.add(s.port()));
        ports.add(plain.port());
        return ports;
    }

    /** Everything gone, straight on every server of both sides: keys, cached scripts, function libraries. */
    static void resetEverything(ProxyCluster cluster, RedisServer plain) {
        resetEverything(serverPorts(cluster, plain));
    }

    /** Keys, cached scripts and function libraries gone from the servers on {@code ports}. */
    static void resetEverything(List<Integer> ports) {
        for (int port : ports) {
            try (Jedis j = new Jedis("127.0.0.1", port)) {
                j.flushAll();
                j.scriptFlush();
                j.functionFlush(FlushMode.SYNC);
            }
        }
    }

    /**
     * The script line by line, each line's command sent to both sides before either reply is
     * read (so that a blocking command's timeout runs on both at once). Every connection starts
     * in {@code protocol}; the lines marked for the other protocol are left out.
     */
    Result run(DiffScript script, Mode mode, RedisProtocol protocol) {
        List<String> mismatches = new ArrayList<>();
        List<Difference> differences = new ArrayList<>();
        int commands = 0;
        int spanning = 0;
        try (RawRespClient redis1 = RawRespClient.connect(redisPort, "redis", protocol);
             RawRespClient redis2 = RawRespClient.connect(redisPort, "redis#2", protocol);
             RawRespClient meta = RawRespClient.connect(redisPort, "redis-meta");
             RawRespClient proxy1 = RawRespClient.connect(proxyPort, "proxy", protocol);
             RawRespClient proxy2 = RawRespClient.connect(proxyPort, "proxy#2", protocol)) {
            for (Line line : lines(script, protocol)) {
                commands++;
                List<byte[]> args = line.expand(mode.prefix);
                RawRespClient redis = line.secondConnection() ? redis2 : redis1;
                RawRespClient proxy = line.secondConnection() ? proxy2 : proxy1;
                Expectation expect = expectation(line, mode);
                int groups = -1;
                if (!reference() && (line.spans() || (expect != null && expect.kind() == Expect.CROSSSLOT))) {
                    Set<Integer> slots = slotsOfKeys(meta, args);
                    groups = groupsOf(slots);
                    if (mode == Mode.SPREAD && line.spans() && groups < 2) {
                        mismatches.add(line + ": the script says its keys span groups, but they are in "
                                + groups + " group(s); pick other key names");
                    }
                    if (mode == Mode.SPREAD && expect != null && expect.kind() == Expect.CROSSSLOT && slots.size() < 2) {
                        mismatches.add(line + ": the script expects -CROSSSLOT, but the keys are in "
                                + slots.size() + " slot(s); pick other key names");
                    }
                }
                if (groups >= 2 && mode == Mode.SPREAD && expect == null) {
                    spanning++;
                }
                RawReply[] replies = execute(expect == null || expect.sentToRedis() ? redis : null, proxy, line, args);
                compare(script, mode, protocol, line, expect, replies[0], replies[1], mismatches, differences);
            }
        }
        return new Result(mismatches, differences, commands, spanning);
    }

    /**
     * The same script written to each side in one go, as a client pipeline does, and the replies
     * read afterwards: the proxy must keep them in request order across groups, dedicated
     * connections (blocking commands, transactions) and replies it makes itself. Lines on the
     * second connection and {@code @scan-all} lines (which need a reply before the next call)
     * are left out, on both sides, and so are the lines marked for the other protocol.
     */
    Result runPipelined(DiffScript script, Mode mode, RedisProtocol protocol) {
        List<String> mismatches = new ArrayList<>();
        List<Difference> differences = new ArrayList<>();
        List<Line> lines = lines(script, protocol).stream().filter(l -> !l.secondConnection() && !l.scanAll()).toList();
        try (RawRespClient redis = RawRespClient.connect(redisPort, "redis", protocol);
             RawRespClient proxy = RawRespClient.connect(proxyPort, "proxy", protocol)) {
            List<List<byte[]>> toRedis = new ArrayList<>();
            List<List<byte[]>> toProxy = new ArrayList<>();
            for (Line line : lines) {
                Expectation expect = expectation(line, mode);
                List<byte[]> args = line.expand(mode.prefix);
                if (expect == null || expect.sentToRedis()) {
                    toRedis.add(args);
                }
                toProxy.add(args);
            }
            redis.sendAll(toRedis);
            proxy.sendAll(toProxy);
            for (Line line : lines) {
                Expectation expect = expectation(line, mode);
                RawReply r = expect == null || expect.sentToRedis() ? redis.read() : null;
                RawReply p = proxy.read();
                compare(script, mode, protocol, line, expect, r, p, mismatches, differences);
            }
        }
        return new Result(mismatches, differences, lines.size(), 0);
    }

    /** The lines of {@code script} this run sends: those of its protocol, in a reference run those Redis is sent. */
    private List<Line> lines(DiffScript script, RedisProtocol protocol) {
        return script.lines().stream().filter(l -> l.runsIn(protocol)
                && !(reference() && l.expectation() != null && !l.expectation().sentToRedis())).toList();
    }

    /** The difference the line expects in this mode; null for none (always in a reference run). */
    private Expectation expectation(Line line, Mode mode) {
        Expectation expect = line.expectation();
        return reference() || (expect != null && expect.spreadOnly() && mode != Mode.SPREAD) ? null : expect;
    }

    private static void compare(DiffScript script, Mode mode, RedisProtocol protocol, Line line, Expectation expect,
                                RawReply redisReply, RawReply proxyReply, List<String> mismatches,
                                List<Difference> differences) {
        RawReply r = redisReply == null ? null : line.normalise(redisReply);
        RawReply p = line.normalise(proxyReply);
        if (expect == null) {
            if (!r.sameBytes(p)) {
                mismatches.add(line + "\n      redis: " + r.render() + "\n      proxy: " + p.render());
            }
            return;
        }
        String problem = check(expect, r, p);
        if (problem != null) {
            mismatches.add(line + ": " + problem + "\n      redis: " + (r == null ? "(not sent)" : r.render())
                    + "\n      proxy: " + p.render());
        } else {
            differences.add(new Difference(script.name(), mode, protocol, line, r, p));
        }
    }

    /** Null when the proxy's reply is the expected difference, else what is wrong. */
    private static String check(Expectation expect, RawReply redis, RawReply proxy) {
        String rendered = proxy.render();
        boolean ok = switch (expect.kind()) {
            case REFUSED -> proxy.isError() && proxy.text().startsWith("ERR ") && proxy.text().contains(expect.text());
            case CROSSSLOT -> proxy.isError() && proxy.text().equals(expect.text());
            case ERROR -> proxy.isError() && proxy.text().contains(expect.text());
            case PROXY_EQUALS -> rendered.equals(expect.text());
            case PROXY_CONTAINS -> rendered.contains(expect.text());
        };
        if (!ok) {
            return "the proxy did not answer the expected difference (" + expect.kind() + " " + expect.text() + ")";
        }
        if (redis != null && redis.sameBytes(proxy)) {
            return "marked as an expected difference, but the proxy now answers like Redis: remove the marker";
        }
        return null;
    }

    /**
     * The replies of Redis (null when {@code redis} is null: not asked) and of the proxy to
     * {@code args}: both sent before either is read, except a {@code @scan-all} line, whose
     * calls depend on the replies.
     */
    private static RawReply[] execute(RawRespClient redis, RawRespClient proxy, Line line, List<byte[]> args) {
        if (line.scanAll()) {
            return new RawReply[] {redis == null ? null : scanAll(redis, args), scanAll(proxy, args)};
        }
        if (redis != null) {
            redis.send(args);
        }
        proxy.send(args);
        return new RawReply[] {redis == null ? null : redis.read(), proxy.read()};
    }

    /**
     * Iterates a SCAN-family command from cursor 0 until the cursor comes back 0 and returns the
     * set of what it returned, sorted (pairs for HSCAN and ZSCAN), or the first error.
     */
    private static RawReply scanAll(RawRespClient client, List<byte[]> args) {
        String command = new String(args.get(0), StandardCharsets.US_ASCII);
        int cursorAt = command.equalsIgnoreCase("scan") ? 1 : 2;
        boolean pairs = command.equalsIgnoreCase("hscan") || command.equalsIgnoreCase("zscan");
        Set<ByteBuffer> seen = new HashSet<>();
        TreeSet<RawReply> out = new TreeSet<>(RawReply.BY_BYTES);
        List<byte[]> call = new ArrayList<>(args);
        byte[] cursor = "0".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < SCAN_LIMIT; i++) {
            call.set(cursorAt, cursor);
            RawReply reply = client.call(call);
            if (reply.isError()) {
                return reply;
            }
            List<RawReply> items = reply.items().get(1).items();
            for (int k = 0; k < items.size(); k += pairs ? 2 : 1) {
                RawReply element = pairs ? RawReply.array(List.of(items.get(k), items.get(k + 1))) : items.get(k);
                if (seen.add(ByteBuffer.wrap(element.raw()))) {
                    out.add(element);
                }
            }
            cursor = reply.items().get(0).bulk();
            if (new String(cursor, StandardCharsets.US_ASCII).equals("0")) {
                return RawReply.array(new ArrayList<>(out));
            }
        }
        throw new AssertionError(client.name() + ": " + command + " did not finish in " + SCAN_LIMIT + " calls");
    }

    /** The slots of the keys of {@code args}, as Redis's COMMAND GETKEYS finds them; empty when none. */
    private static Set<Integer> slotsOfKeys(RawRespClient meta, List<byte[]> args) {
        List<byte[]> call = new ArrayList<>();
        call.add("COMMAND".getBytes(StandardCharsets.US_ASCII));
        call.add("GETKEYS".getBytes(StandardCharsets.US_ASCII));
        call.addAll(args);
        RawReply keys = meta.call(call);
        Set<Integer> slots = new HashSet<>();
        if (keys.isError() || keys.items() == null) {
            return slots;
        }
        for (RawReply k : keys.items()) {
            slots.add(SlotHash.slot(k.bulk()));
        }
        return slots;
    }

    /** How many groups {@code slots} live in. */
    private int groupsOf(Set<Integer> slots) {
        Set<Integer> groups = new HashSet<>();
        for (int slot : slots) {
            groups.add(map.groupIndex(slot));
        }
        return groups.size();
    }
}
