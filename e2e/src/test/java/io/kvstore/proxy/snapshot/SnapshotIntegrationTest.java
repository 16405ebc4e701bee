package io.kvstore.proxy.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.admin.snapshot.SnapshotReader;
import io.kvstore.admin.snapshot.SnapshotWriter;
import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.redis.RespClient;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.reshard.AdminCli;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kvstore-admin backup}, {@code restore} and {@code parse-snapshot} end to end: a source
 * cluster of three groups (g1 read from its replica, g2 without one, g3 whose replica is down so
 * its master is read) holding every data type, with and without TTLs, restored into a cluster of
 * two groups, and through {@code parse-snapshot | redis-cli --pipe} into a lone redis-server;
 * then compared key by key. Corrupt snapshots are refused before anything is written.
 */
class SnapshotIntegrationTest {

    private static final int SRC_MASTERS = 0; // servers 0..2 masters of src, 3 replica of 0, 4 replica of 2
    private static final int DST_FIRST = 5;   // servers 5, 6: the two groups of dst
    private static final int LONE = 7;        // a plain redis-server for the pipe

    private ZkFixture f;
    private Topology src;
    private final List<String> keys = new ArrayList<>();
    private final Map<Integer, RespClient> clients = new HashMap<>();

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws Exception {
        f = ZkFixture.start(8);
        src = f.admin.create(Topology.create("src", ClusterMode.DATASTORE, List.of(
                new Group("g1", f.address(0), List.of(f.address(3)), BackendAuth.NONE),
                Group.of("g2", f.address(1)),
                new Group("g3", f.address(2), List.of(f.address(4)), BackendAuth.NONE)))).value();
        f.admin.create(Topology.create("dst", ClusterMode.DATASTORE, List.of(
                Group.of("d1", f.address(DST_FIRST)), Group.of("d2", f.address(DST_FIRST + 1)))));
        follow(3, 0);
        follow(4, 2);
        fill();
        for (int master : new int[] {0, 2}) {
            assertEquals(1L, client(master).call("WAIT", "1", "5000"), "replica of server " + master + " caught up");
        }
        f.redis.get(4).kill(); // g3's replica is down: backup falls back to g3's master
    }

    @AfterEach
    void stop() throws Exception {
        clients.values().forEach(RespClient::close);
        if (f != null) {
            f.close();
        }
    }

    @Test
    void backupThenRestoreIntoFewerGroupsKeepsEveryKeyAndTtl() throws Exception {
        long measured = System.currentTimeMillis(); // before the first PTTL: elapsed from here bounds every key's
        Map<String, Long> pttlBefore = pttls(this::srcOwner);
        Path dir = tmp.resolve("snap");
        AdminCli.Result backup = AdminCli.run(f, "backup", "src", "--out", dir.toString(), "--quiet");
        assertEquals(0, backup.exit(), backup.toString());
        assertTrue(backup.out().contains("g3") && backup.out().contains("reading from the master"),
                "says that g3 is read from its master: " + backup);

        JsonNode meta = new ObjectMapper().readTree(dir.resolve("meta.json").toFile());
        assertEquals("src", meta.get("cluster").asText());
        assertEquals("datastore", meta.get("mode").asText());
        assertEquals(keys.size(), meta.get("keys").asLong(), meta.toString());
        assertEquals(Files.size(dir.resolve("state.bin")), meta.get("bytes").asLong());
        assertEquals(10, meta.get("rdbVersion").asInt(), "redis 7.0 writes RDB 10");
        assertEquals(3, meta.get("groups").size());
        assertEquals(f.address(3).toString(), meta.get("groups").get(0).get("source").asText(), "g1 read from its replica");
        assertEquals(f.address(2).toString(), meta.get("groups").get(2).get("source").asText(), "g3 read from its master");
        assertEquals(meta.get("start").get("epoch"), meta.get("end").get("epoch"));

        AdminCli.Result restore = AdminCli.run(f, "restore", "dst", dir.toString(), "--quiet");
        assertEquals(0, restore.exit(), restore.toString());
        assertTrue(f.redis.get(DST_FIRST).dbSize() > 0 && f.redis.get(DST_FIRST + 1).dbSize() > 0, "both groups got keys");
        assertSame(this::dstOwner, pttlBefore, measured);

        AdminCli.Result again = AdminCli.run(f, "restore", "dst", dir.toString(), "--quiet");
        assertEquals(4, again.exit(), "existing keys are a conflict without --replace: " + again);
        assertTrue(again.err().contains("BUSYKEY") && again.err().contains(keys.size() + " keys"), again.toString());
        client(DST_FIRST).call("SET", keys.get(0), "changed"); // RESTORE ... REPLACE puts it back
        String owner0 = f.address(DST_FIRST).equals(dstOwner(keys.get(0))) ? keys.get(0) : null;
        AdminCli.Result replace = AdminCli.run(f, "restore", "dst", dir.toString(), "--replace", "--quiet");
        assertEquals(0, replace.exit(), replace.toString());
        if (owner0 != null) {
            assertNotEquals("changed", String.valueOf(client(DST_FIRST).call("GET", keys.get(0))));
        }
    }

    @Test
    void parseSnapshotPipedIntoRedisCliLoadsALoneServer() throws Exception {
        long measured = System.currentTimeMillis(); // before the first PTTL: elapsed from here bounds every key's
        Map<String, Long> pttlBefore = pttls(this::srcOwner);
        Path dir = tmp.resolve("snap");
        assertEquals(0, AdminCli.run(f, "backup", "src", "--out", dir.toString(), "--quiet").exit());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String pipe = "'" + java + "' -cp '" + System.getProperty("java.class.path") + "' io.kvstore.admin.AdminMain parse-snapshot '"
                + dir.resolve("state.bin") + "' | redis-cli -h 127.0.0.1 -p " + f.redis.get(LONE).port() + " --pipe";
        Process p = new ProcessBuilder("sh", "-c", pipe).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the pipe ends");
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("errors: 0, replies: " + keys.size()), output);
        assertSame(k -> f.address(LONE), pttlBefore, measured);

        ZkFixture.Proxy proxy = f.startProxy("dst"); // and through a kvstore proxy of two groups: RESTORE routes by key
        String viaProxy = pipe.replace("-p " + f.redis.get(LONE).port(), "-p " + proxy.port());
        p = new ProcessBuilder("sh", "-c", viaProxy).redirectErrorStream(true).start();
        output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the pipe ends");
        assertTrue(output.contains("errors: 0, replies: " + keys.size()), output);
        assertSame(this::dstOwner, pttlBefore, measured);

        AdminCli.Result readable = AdminCli.run(f, "parse-snapshot", dir.resolve("state.bin").toString(), "--format", "commands");
        assertEquals(0, readable.exit(), readable.toString());
        assertTrue(readable.out().contains("SET str:1 v1"), readable.out().lines().limit(20).toList().toString());
        assertTrue(readable.out().contains("# hash h:1: not printable"), "other types are named, not decoded");
    }

    @Test
    void truncatedOrBitFlippedSnapshotIsRefusedBeforeAnyWrite() throws Exception {
        Path good = tmp.resolve("good");
        assertEquals(0, AdminCli.run(f, "backup", "src", "--out", good.toString(), "--quiet").exit());
        byte[] state = Files.readAllBytes(good.resolve("state.bin"));

        Path truncated = copy(good, "truncated");
        Files.write(truncated.resolve("state.bin"), java.util.Arrays.copyOf(state, state.length * 2 / 3));
        Path flipped = copy(good, "flipped");
        byte[] bad = state.clone();
        bad[bad.length / 2] ^= 0x10;
        Files.write(flipped.resolve("state.bin"), bad);

        for (Path dir : List.of(truncated, flipped)) {
            AdminCli.Result r = AdminCli.run(f, "restore", "dst", dir.toString(), "--quiet");
            assertEquals(4, r.exit(), r.toString());
            assertTrue(r.err().contains("checksum") && r.err().contains("nothing was written"), r.toString());
            assertEquals(0, f.redis.get(DST_FIRST).dbSize() + f.redis.get(DST_FIRST + 1).dbSize(), "nothing restored");
            AdminCli.Result parse = AdminCli.run(f, "parse-snapshot", dir.resolve("state.bin").toString());
            assertEquals(4, parse.exit(), parse.toString());
        }
    }

    @Test
    void aSnapshotOfANewerRdbVersionThanTheServersIsRefusedBeforeAnyWrite() throws Exception {
        Path good = tmp.resolve("good");
        assertEquals(0, AdminCli.run(f, "backup", "src", "--out", good.toString(), "--quiet").exit());
        Path newer = tmp.resolve("newer");
        Files.createDirectories(newer);
        try (SnapshotReader in = new SnapshotReader(good.resolve("state.bin"));
             SnapshotWriter out = new SnapshotWriter(newer.resolve("state.bin"))) {
            for (SnapshotReader.Entry e = in.next(); e != null; e = in.next()) {
                byte[] p = e.payload().clone();
                if (new String(e.key(), StandardCharsets.UTF_8).equals("str:5")) {
                    p[p.length - 10] = 99; // the RDB version in the DUMP footer, as a future Redis would write
                }
                out.key(e.key(), p, e.expireAt());
            }
            out.finish();
            ObjectNode meta = (ObjectNode) new ObjectMapper().readTree(good.resolve("meta.json").toFile());
            meta.put("sha256", out.sha256()).put("bytes", out.bytes()).put("rdbVersion", out.maxRdbVersion());
            new ObjectMapper().writeValue(newer.resolve("meta.json").toFile(), meta);
        }
        AdminCli.Result r = AdminCli.run(f, "restore", "dst", newer.toString(), "--quiet");
        assertEquals(4, r.exit(), r.toString());
        assertTrue(r.err().contains("RDB version 99") && r.err().contains("Redis 7.0.15") && r.err().contains("nothing was written"),
                r.toString());
        assertEquals(0, f.redis.get(DST_FIRST).dbSize() + f.redis.get(DST_FIRST + 1).dbSize(), "nothing restored");
    }

    @Test
    void twoHostsOnOneScheduleTakeEachPeriodOnceAndKeepTheNewest() throws Exception {
        Path shared = tmp.resolve("scheduled"); // a directory both "hosts" write to, as on shared storage
        AdminCli.Result[] results = new AdminCli.Result[2];
        Thread[] hosts = new Thread[2];
        for (int i = 0; i < 2; i++) {
            int host = i;
            hosts[i] = new Thread(() -> results[host] = AdminCli.run(f, "backup", "src", "--out", shared.toString(),
                    "--every", "2s", "--keep", "2", "--count", "3", "--quiet"));
            hosts[i].start();
        }
        for (Thread t : hosts) {
            t.join(120_000);
        }
        List<String> taken = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (AdminCli.Result r : results) {
            assertEquals(0, r.exit(), r.toString()); // a period taken twice would fail: its directory holds a snapshot
            r.out().lines().filter(l -> l.endsWith(": taken")).forEach(l -> taken.add(l.substring(0, l.indexOf(':'))));
            r.out().lines().filter(l -> l.endsWith("skipped")).forEach(l -> skipped.add(l.substring(0, l.indexOf(':'))));
        }
        assertEquals(new HashSet<>(taken).size(), taken.size(), "no period taken twice: " + taken);
        assertTrue(taken.containsAll(skipped), "a period one host skipped, the other took: " + taken + " " + skipped);
        List<String> kept;
        try (var dirs = Files.list(shared)) {
            kept = dirs.map(d -> d.getFileName().toString()).sorted().toList();
        }
        List<String> newest = taken.stream().sorted().skip(Math.max(0, taken.size() - 2)).toList();
        assertEquals(newest, kept, "the newest two are kept");
        for (String d : kept) {
            SnapshotReader.verify(shared.resolve(d)); // each one whole
        }
    }

    @Test
    void backupIsRefusedDuringAMigrationUnlessAsked() throws Exception {
        f.admin.update("src", t -> t.withMigrations(List.of(new SlotRange(0, 10, "g2"))));
        AdminCli.Result r = AdminCli.run(f, "backup", "src", "--out", tmp.resolve("m").toString(), "--quiet");
        assertEquals(4, r.exit(), r.toString());
        assertTrue(r.err().contains("migrat"), r.toString());
        AdminCli.Result forced = AdminCli.run(f, "backup", "src", "--out", tmp.resolve("m").toString(), "--quiet",
                "--during-migration");
        assertEquals(0, forced.exit(), forced.toString());
    }

    /**
     * Every key: the same DUMP (or, for a hashtable-encoded set, the same members) as on the server
     * the backup read it from, and the same TTL as on src. The server read, not the master: Redis
     * 7.0 replicas do not know a consumer group's entries-read counter (XREADGROUP reaches them as
     * XCLAIM), so a stream read from one has it unset, and its DUMP differs from the master's there.
     */
    private void assertSame(java.util.function.Function<String, HostPort> target, Map<String, Long> pttlBefore, long measured)
            throws IOException {
        Map<HostPort, RespClient> dst = new HashMap<>();
        try {
            for (String key : keys) {
                RespClient s = client(backupSource(key));
                RespClient d = dst.computeIfAbsent(target.apply(key), a -> connect(a));
                byte[] k = key.getBytes(StandardCharsets.UTF_8);
                if ("hashtable".equals(s.call("OBJECT", "ENCODING", key))) {
                    assertEquals(new HashSet<>((List<?>) s.call("SMEMBERS", key)), new HashSet<>((List<?>) d.call("SMEMBERS", key)), key);
                } else {
                    assertArrayEquals((byte[]) s.callRaw(bytes("DUMP"), k), (byte[]) d.callRaw(bytes("DUMP"), k), key);
                }
                long before = pttlBefore.get(key);
                long after = (Long) d.call("PTTL", key);
                long elapsed = System.currentTimeMillis() - measured;
                if (before < 0) {
                    assertEquals(-1L, after, key + " has no TTL");
                } else {
                    assertTrue(after <= before + 5 && after >= before - elapsed - 5,
                            key + ": PTTL " + after + " after, " + before + " before, " + elapsed + " ms apart");
                }
            }
        } finally {
            dst.values().forEach(RespClient::close);
        }
    }

    private Map<String, Long> pttls(java.util.function.Function<String, HostPort> where) throws IOException {
        Map<String, Long> out = new HashMap<>();
        for (String key : keys) {
            out.put(key, (Long) client(where.apply(key)).call("PTTL", key));
        }
        return out;
    }

    /** Strings (raw, int, compressible), hashes, lists, int and string sets, sorted sets, streams with a group, HLL. */
    private void fill() throws IOException {
        for (int i = 0; i < 40; i++) {
            put("str:" + i, "SET", "v" + i);
            put("n:" + i, "SET", Integer.toString(1000 + i));
            put("h:" + i, "HSET", "f1", "a" + i, "f2", "b", "f3", Integer.toString(i));
            put("l:" + i, "RPUSH", "x", "y", Integer.toString(i));
            put("si:" + i, "SADD", "1", "2", Integer.toString(i + 3));
            put("ss:" + i, "SADD", "red", "green", "blue" + i);
            put("z:" + i, "ZADD", "1", "one", "2.5", "two", Integer.toString(i), "m" + i);
            put("hll:" + i, "PFADD", "a", "b", "c" + i);
            put("x:" + i, "XADD", "*", "f", "v" + i);
            cmd("x:" + i, "XADD", "x:" + i, "*", "g", "w");
            cmd("x:" + i, "XGROUP", "CREATE", "x:" + i, "grp", "0");
            cmd("x:" + i, "XREADGROUP", "GROUP", "grp", "alice", "COUNT", "1", "STREAMS", "x:" + i, ">");
        }
        put("big", "SET", "0123456789abcdef".repeat(2000));
        put("{tag}a", "SET", "1");
        put("{tag}b", "LPUSH", "2");
        for (int i = 0; i < keys.size(); i += 3) {
            cmd(keys.get(i), "PEXPIRE", keys.get(i), Long.toString(1_000_000 + i));
        }
    }

    /** Runs {@code command key args...} on the key's owner in src, and remembers the key. */
    private void put(String key, String command, String... args) throws IOException {
        keys.add(key);
        String[] words = new String[args.length + 2];
        words[0] = command;
        words[1] = key;
        System.arraycopy(args, 0, words, 2, args.length);
        cmd(key, words);
    }

    /** Runs {@code words} on the owner of {@code key} in src. */
    private void cmd(String key, String... words) throws IOException {
        client(srcOwner(key)).call(words);
    }

    private HostPort srcOwner(String key) {
        return f.address(f.ownerOf(src, key));
    }

    /** Where backup reads {@code key}: g1 from its replica (server 3), g3 (replica down) and g2 from the master. */
    private HostPort backupSource(String key) {
        int owner = f.ownerOf(src, key);
        return f.address(owner == 0 ? 3 : owner);
    }

    private HostPort dstOwner(String key) {
        Topology dst = f.admin.read("dst").value();
        return f.address(f.ownerOf(dst, key));
    }

    private void follow(int replica, int master) throws IOException {
        client(replica).call("REPLICAOF", "127.0.0.1", Integer.toString(f.redis.get(master).port()));
        ZkFixture.await("server " + replica + " to replicate", () -> {
            try {
                return client(replica).info("replication").getOrDefault("master_link_status", "").equals("up");
            } catch (IOException e) {
                return false;
            }
        });
    }

    private RespClient client(int server) {
        return client(f.address(server));
    }

    private RespClient client(HostPort address) {
        return clients.computeIfAbsent(address.port(), p -> connect(address));
    }

    private static RespClient connect(HostPort address) {
        try {
            return RespClient.connect(address, 10_000);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path copy(Path dir, String name) throws IOException {
        Path to = dir.resolveSibling(name);
        Files.createDirectories(to);
        for (File file : dir.toFile().listFiles()) {
            Files.copy(file.toPath(), to.resolve(file.getName()));
        }
        return to;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
