package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * INFO through the proxy reports the cluster: counters summed over the groups (checked against
 * each group's own INFO read straight from its redis-server), {@code # Keyspace} and
 * {@code # Commandstats} totals, and the server fields of the proxy process, never of a backend.
 * doc/info.md says what each field reports.
 */
class InfoIntegrationTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @BeforeEach
    void empty() {
        cluster.flushAll();
        for (var s : cluster.shards()) {
            try (Jedis j = s.client()) {
                j.configResetStat();
            }
        }
    }

    @Test
    void countersAreTheClusterTotals() {
        List<List<String>> keys = cluster.keysOnEachShard("info:", 2);
        try (Jedis j = cluster.client()) {
            Map<String, String> before = parse(j.info("commandstats"));
            for (List<String> onShard : keys) {
                j.set(onShard.get(0), "v");
                j.setex(onShard.get(1), 1000, "v");
                j.get(onShard.get(0));
                j.get(onShard.get(0) + ":missing");
            }
            j.info("everything"); // every group has a connection from this loop before counting
            Map<String, String> proxy = parse(j.info("everything"));
            List<Map<String, String>> groups = new ArrayList<>();
            for (var s : cluster.shards()) {
                try (Jedis direct = s.client()) {
                    groups.add(parse(direct.info("everything")));
                }
            }
            assertEquals("keys=6,expires=3", proxy.get("db0").substring(0, "keys=6,expires=3".length()), proxy.get("db0"));
            for (String counter : List.of("keyspace_hits", "keyspace_misses", "expired_keys", "evicted_keys",
                    "rdb_changes_since_last_save", "blocked_clients")) { // not errors: Jedis's CLIENT SETINFO fails on 7.0
                assertEquals(sum(groups, counter), Long.parseLong(proxy.get(counter)), counter);
            }
            assertEquals(3, Long.parseLong(proxy.get("keyspace_hits")));
            assertEquals(3, Long.parseLong(proxy.get("keyspace_misses")));
            // Each group counted the proxy's INFO after answering it; the direct INFO shows one more per group.
            assertEquals(sum(groups, "total_commands_processed") - 3, Long.parseLong(proxy.get("total_commands_processed")));
            long memory = sum(groups, "used_memory");
            long reported = Long.parseLong(proxy.get("used_memory"));
            assertTrue(reported > memory * 8 / 10 && reported < memory * 12 / 10, reported + " vs the groups' " + memory);

            // Commandstats describe this proxy (the commands its clients sent; doc/info.md), not the groups.
            assertEquals(6, calls(proxy, "cmdstat_get") - calls(before, "cmdstat_get"), proxy.get("cmdstat_get"));
            assertEquals(3, calls(proxy, "cmdstat_set") - calls(before, "cmdstat_set"));
            assertEquals(3, calls(proxy, "cmdstat_setex") - calls(before, "cmdstat_setex"));

            assertEquals(Long.toString(ProcessHandle.current().pid()), proxy.get("process_id"), "the proxy's process");
            assertEquals(Integer.toString(cluster.port()), proxy.get("tcp_port"), "the proxy's port");
            for (Map<String, String> g : groups) {
                assertNotEquals(g.get("run_id"), proxy.get("run_id"), "no backend's run id");
                assertNotEquals(g.get("executable"), proxy.get("executable"), "no backend's executable");
                assertNotEquals(g.get("master_replid"), proxy.get("master_replid"), "no backend's replication id");
            }
            assertEquals(proxy.get("run_id"), parse(j.info("server")).get("run_id"), "one run id per proxy process");
            assertEquals(40, proxy.get("run_id").length());
            assertFalse(proxy.keySet().stream().anyMatch(k -> k.matches("slave\\d+")), "replicas are not listed");
        }
    }

    @Test
    void blockedClientsOnAnyGroupAreCounted() throws Exception {
        String key = cluster.keysOn(2, "blocked:", 1).get(0); // not on the first group
        try (RespSocket blocked = RespSocket.connect(cluster.port()); Jedis j = cluster.client()) {
            blocked.command("BLPOP", key, "0");
            Await.until("the BLPOP waiting on the third group", Duration.ofSeconds(10),
                    () -> "1".equals(parse(j.info("clients")).get("blocked_clients")));
            j.rpush(key, "x");
            assertEquals(List.of(key, "x"), blocked.read());
        }
    }

    @Test
    void resp3AnswersAVerbatimStringWithTheTotals() {
        List<List<String>> keys = cluster.keysOnEachShard("info3:", 1);
        try (RespSocket s = RespSocket.connect(cluster.port())) {
            s.call("HELLO", "3");
            for (List<String> k : keys) {
                s.call("SET", k.get(0), "v");
            }
            Object info = s.call("INFO", "keyspace");
            assertTrue(info instanceof String text && text.contains("db0:keys=3,expires=0"), String.valueOf(info));
        }
    }

    @Test
    void helloAndInfoReportTheGroupsVersion() {
        String version;
        try (Jedis direct = cluster.shard(1).client()) {
            version = parse(direct.info("server")).get("redis_version");
        }
        for (String protocol : List.of("2", "3")) {
            try (RespSocket s = RespSocket.connect(cluster.port())) { // a fresh proxy connection, HELLO first
                Object hello = s.call("HELLO", protocol);
                Map<Object, Object> fields = new LinkedHashMap<>();
                if (hello instanceof Map<?, ?> m) {
                    fields.putAll(m);
                } else {
                    List<?> flat = (List<?>) hello;
                    for (int i = 0; i + 1 < flat.size(); i += 2) {
                        fields.put(flat.get(i), flat.get(i + 1));
                    }
                }
                assertEquals(version, fields.get("version"), "HELLO " + protocol);
                assertEquals(version, parse((String) s.call("INFO", "server")).get("redis_version"), "INFO");
            }
        }
    }

    /** The {@code name:value} lines of an INFO text. */
    static Map<String, String> parse(String info) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : info.split("\r\n")) {
            int colon = line.indexOf(':');
            if (!line.startsWith("#") && colon > 0) {
                out.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return out;
    }

    private static Map<String, String> fields(String value) {
        Map<String, String> out = new LinkedHashMap<>();
        if (value != null) {
            for (String f : value.split(",")) {
                out.put(f.substring(0, f.indexOf('=')), f.substring(f.indexOf('=') + 1));
            }
        }
        return out;
    }

    private static long sum(List<Map<String, String>> groups, String field) {
        long total = 0;
        for (Map<String, String> g : groups) {
            total += Long.parseLong(g.get(field));
        }
        return total;
    }

    private static long calls(Map<String, String> info, String entry) {
        String line = info.get(entry);
        return line == null ? 0 : Long.parseLong(fields(line).get("calls"));
    }
}
