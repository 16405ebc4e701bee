package io.kvstore.proxy.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.redis.RespClient;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.reshard.AdminCli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup and restore speed, for doc/operations.md; not part of the suite. Run with
 * {@code -Dtest=SnapshotBenchTest -Dkvstore.bench.keys=500000}: N keys (four in five a 100-byte
 * string, one in five a hash of 10 fields; one in four with a TTL) on a cluster of two groups,
 * backed up from the masters and restored into another cluster of three groups. Prints keys/s
 * and MB/s; asserts only that every key came back.
 */
@EnabledIfSystemProperty(named = "kvstore.bench.keys", matches = "\\d+")
class SnapshotBenchTest {

    @TempDir
    Path tmp;

    @Test
    void backupAndRestoreSpeed() throws Exception {
        int n = Integer.parseInt(System.getProperty("kvstore.bench.keys"));
        try (ZkFixture f = ZkFixture.start(5)) {
            Topology src = f.admin.create(Topology.create("src", ClusterMode.DATASTORE,
                    List.of(Group.of("g1", f.address(0)), Group.of("g2", f.address(1))))).value();
            f.admin.create(Topology.create("dst", ClusterMode.DATASTORE,
                    List.of(Group.of("d1", f.address(2)), Group.of("d2", f.address(3)), Group.of("d3", f.address(4)))));
            fill(f, src, n);
            Path dir = tmp.resolve("snap");
            long t0 = System.nanoTime();
            AdminCli.Result backup = AdminCli.run(f, "backup", "src", "--out", dir.toString(), "--from", "masters", "--quiet");
            long t1 = System.nanoTime();
            assertEquals(0, backup.exit(), backup.toString());
            AdminCli.Result restore = AdminCli.run(f, "restore", "dst", dir.toString(), "--quiet");
            long t2 = System.nanoTime();
            assertEquals(0, restore.exit(), restore.toString());
            JsonNode meta = new ObjectMapper().readTree(dir.resolve("meta.json").toFile());
            long used = 0;
            for (int i = 0; i < 2; i++) {
                try (RespClient c = RespClient.connect(f.address(i), 10_000)) {
                    used += Long.parseLong(c.info("memory").get("used_memory_dataset"));
                }
            }
            long restored = f.redis.get(2).dbSize() + f.redis.get(3).dbSize() + f.redis.get(4).dbSize();
            assertEquals(n, restored);
            double b = (t1 - t0) / 1e9;
            double r = (t2 - t1) / 1e9;
            double dumps = meta.get("payloadBytes").asLong() / 1e6;
            System.out.printf("BENCH keys=%d state.bin=%.1f MB DUMP payloads=%.1f MB dataset=%.1f MB%n", n,
                    meta.get("bytes").asLong() / 1e6, dumps, used / 1e6);
            System.out.printf("BENCH backup %.1f s: %.0f keys/s, %.1f MB/s of DUMP payload%n", b, n / b, dumps / b);
            System.out.printf("BENCH restore %.1f s (with the whole-file check): %.0f keys/s, %.1f MB/s of DUMP payload%n", r, n / r,
                    dumps / r);
        }
    }

    private static void fill(ZkFixture f, Topology t, int n) throws Exception {
        Map<Integer, RespClient> clients = new HashMap<>();
        Map<Integer, List<byte[][]>> batches = new HashMap<>();
        String value = "x".repeat(60) + "0123456789abcdefghijklmnopqrstuvwxyz0123";
        try {
            for (int i = 0; i < n; i++) {
                String key = "bench:" + i;
                int owner = f.ownerOf(t, key);
                List<byte[][]> batch = batches.computeIfAbsent(owner, o -> new ArrayList<>());
                if (i % 5 == 4) {
                    List<String> words = new ArrayList<>(List.of("HSET", key));
                    for (int j = 0; j < 10; j++) {
                        words.add("field" + j);
                        words.add("value-" + j + "-" + i);
                    }
                    batch.add(bytes(words.toArray(String[]::new)));
                } else {
                    batch.add(bytes("SET", key, value + i));
                }
                if (i % 4 == 0) {
                    batch.add(bytes("EXPIRE", key, "86400"));
                }
                if (batch.size() >= 1000) {
                    clients.computeIfAbsent(owner, o -> connect(f, o)).pipeline(batch);
                    batch.clear();
                }
            }
            for (Map.Entry<Integer, List<byte[][]>> e : batches.entrySet()) {
                clients.computeIfAbsent(e.getKey(), o -> connect(f, o)).pipeline(e.getValue());
            }
        } finally {
            clients.values().forEach(RespClient::close);
        }
    }

    private static RespClient connect(ZkFixture f, int server) {
        try {
            return RespClient.connect(f.address(server), BackendAuth.NONE, 60_000);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[][] bytes(String... words) {
        byte[][] out = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            out[i] = words[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }
}
