package io.kvstore.proxy.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.testing.Await;
import io.kvstore.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * SCRIPT KILL and FUNCTION KILL through the proxy against a single Redis: with nothing running
 * (-NOTBUSY), with a script or function spinning on one group (killed, from any client of the
 * proxy, even one whose shared backend connection waits behind the script), and with a script
 * that has written and cannot be killed (-UNKILLABLE, not hidden by the other groups' NOTBUSY).
 * busy-reply-threshold is lowered to 100 ms on every server so the spinning starts being
 * reported at once.
 */
class ScriptKillDifferentialTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @RegisterExtension
    static final RedisServer plain = RedisServer.perClass();

    private static final String SPIN = "while true do end";
    /** Writes, then spins for about a second: past the threshold, yet unkillable. */
    private static final String WRITE_THEN_SPIN = "redis.call('SET', KEYS[1], '1') local t = redis.call('TIME') "
            + "while true do local n = redis.call('TIME') if (n[1] - t[1]) * 1000000 + (n[2] - t[2]) > 1000000 then break end end "
            + "return 1";
    private static final String LIBRARY = "#!lua name=spinlib\nredis.register_function('spin', function(keys, args) while true do end end)";

    @BeforeEach
    @AfterEach
    void reset() {
        for (int port : DiffRunner.serverPorts(cluster, plain)) {
            try (Jedis j = new Jedis("127.0.0.1", port)) {
                j.configSet("busy-reply-threshold", "100");
                j.flushAll();
                j.functionFlush();
            }
        }
    }

    @Test
    void killsReachTheBusyGroupAndAnswerAsRedis() throws InterruptedException {
        Map<String, List<String>> bySide = new LinkedHashMap<>();
        for (int port : new int[] {plain.port(), cluster.port()}) {
            String side = port == plain.port() ? "redis" : "proxy";
            List<String> seen = new ArrayList<>();
            String key = cluster.keysOn(2, "spin.", 1).get(0); // the third group
            RedisServer server = port == plain.port() ? plain : cluster.shard(2);
            try (RespSocket runner = RespSocket.connect(port, 10_000);
                 RespSocket other1 = RespSocket.connect(port, 10_000);
                 RespSocket other2 = RespSocket.connect(port, 10_000)) {
                seen.add("SCRIPT KILL idle: " + runner.call("SCRIPT", "KILL"));
                seen.add("FUNCTION KILL idle: " + runner.call("FUNCTION", "KILL"));
                seen.add("FUNCTION LOAD: " + runner.call("FUNCTION", "LOAD", LIBRARY));
                // The proxy spreads clients over its loops: one of other1, other2 shares the runner's.
                for (RespSocket killer : List.of(other1, other2)) {
                    runner.command("EVAL", SPIN, "1", key);
                    awaitBusy(server);
                    seen.add("SCRIPT KILL busy: " + killer.call("SCRIPT", "KILL"));
                    seen.add("the script: " + runner.read());
                    runner.command("FCALL", "spin", "1", key);
                    awaitBusy(server);
                    seen.add("FUNCTION KILL busy: " + killer.call("FUNCTION", "KILL"));
                    seen.add("the function: " + runner.read());
                }
                runner.command("EVAL", WRITE_THEN_SPIN, "1", key);
                awaitBusy(server);
                seen.add("SCRIPT KILL unkillable: " + other1.call("SCRIPT", "KILL"));
                seen.add("the script: " + runner.read());
                seen.add("then: " + runner.call("GET", key));
            }
            bySide.put(side, seen);
        }
        assertEquals(bySide.get("redis"), bySide.get("proxy"), "SCRIPT KILL and FUNCTION KILL through the proxy");
    }

    /** SCRIPT EXISTS says 1 only for a script every group has: an EVALSHA may reach any of them. */
    @Test
    void scriptExistsOnlyWhereEveryGroupHasIt() {
        String sha;
        try (Jedis direct = cluster.shard(1).client()) {
            sha = direct.scriptLoad("return 1"); // on one group only
        }
        try (Jedis j = cluster.client()) {
            assertEquals(false, j.scriptExists(sha));
            assertEquals(sha, j.scriptLoad("return 1"));
            assertEquals(true, j.scriptExists(sha));
        }
    }

    /** Waits (bounded) until the server answers -BUSY: the script is running past the threshold. */
    private static void awaitBusy(RedisServer server) {
        try (RespSocket probe = RespSocket.connect(server.port(), 10_000)) {
            Await.until("the script to become busy on " + server, Duration.ofSeconds(10),
                    () -> probe.call("PING") instanceof RespSocket.Error e && e.message().startsWith("BUSY"));
        }
    }
}
