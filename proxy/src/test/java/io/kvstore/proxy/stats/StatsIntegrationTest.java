package io.kvstore.proxy.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RedisServer;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.it.support.SlowScript;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The proxy's own INFO commandstats, INFO latencystats, per-group backend time in INFO proxy and
 * SLOWLOG, checked against known commands: a slow one is a Lua busy loop of at least 20 ms on the
 * backend (DEBUG SLEEP does not go through the proxy), whose SLOWLOG entry must have the layout a
 * real redis-server gives the same command.
 */
class StatsIntegrationTest {

    private static final String BUSY = SlowScript.BUSY;

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(2);

    @RegisterExtension
    static final RedisServer plain = RedisServer.perClass();

    @Test
    void commandstatsCountCallsFailuresAndRefusals() {
        try (RespSocket c = RespSocket.connect(cluster.port(), 10_000)) {
            before(c, "cmdstat_get:");
            for (int i = 0; i < 3; i++) {
                c.call("GET", "stats:k" + i);
            }
            c.call("SET", "stats:s", "x");
            assertTrue(c.call("INCR", "stats:s") instanceof RespSocket.Error);
            assertTrue(c.call("BGSAVE") instanceof RespSocket.Error); // refused by the proxy
            String info = (String) c.call("INFO", "commandstats");
            assertTrue(info.startsWith("# Commandstats\r\n"), info);
            assertEquals(1, count(info, "# Commandstats"), "the backend's section is replaced:\n" + info);
            assertTrue(Pattern.compile("cmdstat_get:calls=3,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=0,failed_calls=0\r\n")
                    .matcher(info).find(), info);
            assertTrue(info.contains("cmdstat_incr:calls=1,"), info);
            assertTrue(info.contains(",rejected_calls=0,failed_calls=1"), info);
            assertTrue(info.contains("cmdstat_bgsave:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0"), info);
        }
    }

    @Test
    void latencystatsAndBackendTimeSeeASlowCommand() {
        try (RespSocket c = RespSocket.connect(cluster.port(), 10_000)) {
            assertEquals(1L, c.call("EVAL", BUSY, "1", "stats:busy"));
            String info = (String) c.call("INFO", "latencystats");
            Matcher m = Pattern.compile("latency_percentiles_usec_eval:p50=([0-9.]+),p99=([0-9.]+),p99\\.9=([0-9.]+)\r\n").matcher(info);
            assertTrue(m.find(), info);
            assertTrue(Double.parseDouble(m.group(3)) >= 20_000 * 0.99, "the busy loop ran 20 ms at least: " + info);
            String proxy = (String) c.call("INFO", "proxy");
            Matcher g = Pattern.compile("backend_g\\d:master=127\\.0\\.0\\.1:\\d+,calls=(\\d+),errors=\\d+,p50=[0-9.]+,p99=[0-9.]+,p99\\.9=([0-9.]+)\r\n")
                    .matcher(proxy);
            double worst = 0;
            while (g.find()) {
                assertTrue(Long.parseLong(g.group(1)) > 0, proxy);
                worst = Math.max(worst, Double.parseDouble(g.group(2)));
            }
            assertTrue(worst >= 20_000 * 0.99, "the busy loop is backend time: " + proxy);
            String all = (String) c.call("INFO", "all");
            assertEquals(1, count(all, "# Latencystats\r\n"), all);
            assertTrue(all.contains("# Proxy\r\n") && all.contains("# Keyspace\r\n"), all);
        }
    }

    @Test
    void slowlogHasTheSlowCommandAsRedisLogsIt() {
        List<String> words = new ArrayList<>(List.of("EVAL", BUSY, "1", "stats:slow"));
        for (int i = 0; i < 40; i++) {
            words.add("arg" + i);
        }
        String[] command = words.toArray(String[]::new);
        List<?> expected;
        try (RespSocket direct = RespSocket.connect(plain.port(), 10_000)) {
            direct.call("CONFIG", "SET", "slowlog-log-slower-than", "10000");
            direct.call("SLOWLOG", "RESET");
            direct.call("CLIENT", "SETNAME", "slowpoke");
            direct.call(command);
            expected = (List<?>) ((List<?>) direct.call("SLOWLOG", "GET", "1")).get(0);
        }
        try (RespSocket c = RespSocket.connect(cluster.port(), 10_000)) {
            assertEquals("OK", c.call("SLOWLOG", "RESET"));
            assertEquals(0L, c.call("SLOWLOG", "LEN"));
            c.call("CLIENT", "SETNAME", "slowpoke");
            c.call("GET", "stats:fast");
            c.call(command);
            assertEquals(1L, c.call("SLOWLOG", "LEN"), "only the slow command is logged");
            List<?> entries = (List<?>) c.call("SLOWLOG", "GET");
            assertEquals(1, entries.size());
            List<?> entry = (List<?>) entries.get(0);
            assertEquals(expected.size(), entry.size(), entry.toString());
            assertTrue(entry.get(0) instanceof Long && entry.get(1) instanceof Long, entry.toString());
            assertTrue((Long) entry.get(2) >= 20_000 * 0.99, "duration in microseconds: " + entry);
            assertEquals(expected.get(3), entry.get(3), "arguments kept and cut as Redis does");
            assertTrue(((String) entry.get(4)).startsWith("127.0.0.1:"), entry.toString());
            assertEquals("slowpoke", entry.get(5));
            assertTrue(((List<?>) c.call("SLOWLOG", "GET", "0")).isEmpty());
            assertEquals("OK", c.call("SLOWLOG", "RESET"));
            assertEquals(0L, c.call("SLOWLOG", "LEN"));
        }
    }

    @Test
    void slowlogRedactsPasswordsAsRedisDoes() {
        List<?> expected;
        try (RespSocket direct = RespSocket.connect(plain.port(), 10_000)) {
            direct.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
            direct.call("SLOWLOG", "RESET");
            direct.call("AUTH", "secret");
            expected = (List<?>) ((List<?>) ((List<?>) direct.call("SLOWLOG", "GET", "1")).get(0)).get(3);
            direct.call("CONFIG", "SET", "slowlog-log-slower-than", "10000");
        }
        SlowLog log = cluster.proxy().context().stats().slowLog();
        log.configure(0, 128);
        try (RespSocket c = RespSocket.connect(cluster.port(), 10_000)) {
            c.call("SLOWLOG", "RESET");
            c.call("AUTH", "secret");
            List<?> entry = (List<?>) ((List<?>) c.call("SLOWLOG", "GET", "1")).get(0);
            assertEquals(expected, entry.get(3));
            assertEquals(List.of("AUTH", "(redacted)"), entry.get(3));
            assertTrue(c.call("SLOWLOG", "GET", "x") instanceof RespSocket.Error);
        } finally {
            log.configure(10_000, 128);
        }
    }

    /** Fails unless {@code text} is not yet in the commandstats: each test starts from its own calls. */
    private static void before(RespSocket c, String text) {
        assertFalse(((String) c.call("INFO", "commandstats")).contains(text));
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
