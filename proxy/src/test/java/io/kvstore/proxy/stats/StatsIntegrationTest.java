package io.kvstore.proxy.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.it.support.SlowScript;
import io.kvstore.testing.RedisServer;
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
            String before = (String) c.call("INFO", "commandstats");
            for (int i = 0; i < 3; i++) {
                c.call("GET", "stats:k" + i);
            }
            c.call("SET", "stats:s", "x");
            assertTrue(c.call("INCR", "stats:s") instanceof RespSocket.Error);
            assertTrue(c.call("BGSAVE") instanceof RespSocket.Error); // refused by the proxy
            String info = (String) c.call("INFO", "commandstats");
            assertTrue(info.startsWith("# Commandstats\r\n"), info);
            assertEquals(1, count(info, "# Commandstats"), "the backend's section is replaced:\n" + info);
            assertTrue(Pattern.compile("cmdstat_get:calls=\\d+,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=0,failed_calls=0\r\n")
                    .matcher(info).find(), info);
            assertEquals(field(before, "get", "calls") + 3, field(info, "get", "calls"), info);
            assertEquals(field(before, "incr", "calls") + 1, field(info, "incr", "calls"), info);
            assertEquals(field(before, "incr", "failed_calls") + 1, field(info, "incr", "failed_calls"), info);
            assertEquals(field(before, "bgsave", "rejected_calls") + 1, field(info, "bgsave", "rejected_calls"), info);
            assertEquals(0, field(info, "bgsave", "calls"), "a refused command is not a call");
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
        // On a loaded machine any command may take 10 ms: entries are found by content, never counted.
        try (RespSocket c = RespSocket.connect(cluster.port(), 10_000)) {
            assertEquals("OK", c.call("SLOWLOG", "RESET"));
            c.call("CLIENT", "SETNAME", "slowpoke");
            c.call(command);
            assertTrue((Long) c.call("SLOWLOG", "LEN") >= 1);
            List<?> entry = ((List<?>) c.call("SLOWLOG", "GET", "-1")).stream().map(e -> (List<?>) e)
                    .filter(e -> ((List<?>) e.get(3)).get(0).equals("EVAL")).findFirst().orElseThrow();
            assertEquals(expected.size(), entry.size(), entry.toString());
            assertTrue(entry.get(0) instanceof Long && entry.get(1) instanceof Long, entry.toString());
            assertTrue((Long) entry.get(2) >= 20_000 * 0.99, "duration in microseconds: " + entry);
            assertEquals(expected.get(3), entry.get(3), "arguments kept and cut as Redis does");
            assertTrue(((String) entry.get(4)).startsWith("127.0.0.1:"), entry.toString());
            assertEquals("slowpoke", entry.get(5));
            assertTrue(((List<?>) c.call("SLOWLOG", "GET", "0")).isEmpty());
            SlowLog log = cluster.proxy().context().stats().slowLog();
            log.configure(-1, 128); // nothing more is logged, so the count after RESET is known
            try {
                assertEquals("OK", c.call("SLOWLOG", "RESET"));
                assertEquals(0L, c.call("SLOWLOG", "LEN"));
            } finally {
                log.configure(10_000, 128);
            }
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

    /** A figure of {@code command}'s line in INFO commandstats, 0 when the command has none yet. */
    private static long field(String info, String command, String name) {
        Matcher m = Pattern.compile("cmdstat_" + command + ":.*?\\b" + name + "=(\\d+)").matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
