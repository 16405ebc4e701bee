package io.kvstore.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.HostPort;
import io.kvstore.config.store.ProxyCodec;
import io.kvstore.config.store.ProxyRecord;
import io.kvstore.config.store.StorePaths;
import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.hotkeys.HotKeys;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.reshard.AdminCli;
import io.kvstore.testing.Await;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;

/**
 * {@code kvstore-admin stats}: two real proxies in ZooKeeper mode over two real redis-servers,
 * traffic through both; the table and the JSON show both proxies, each group's backend time and
 * the hot keys summed over the proxies; {@code --watch} redraws; a registered proxy that does not
 * answer makes it exit 1.
 */
class AdminStatsIntegrationTest {

    @Test
    void oneTableForTwoProxies() throws Exception {
        try (ZkFixture f = ZkFixture.start(2)) {
            f.createCluster("shop", 2);
            List<ZkFixture.Proxy> proxies = List.of(f.startProxy("shop"), f.startProxy("shop"));
            everySecond(proxies);
            // 200 ms between rounds of requests: a one-second window takes about five
            Await.until("both proxies to show stats:hot", Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
                if (bothShow(proxies, "stats:hot")) {
                    return true;
                }
                for (ZkFixture.Proxy p : proxies) {
                    try (RespSocket c = RespSocket.connect(p.port(), 10_000)) {
                        for (int i = 0; i < 30; i++) {
                            c.call("SET", "stats:hot", "v");
                            c.call("GET", "stats:cold" + i);
                        }
                    }
                }
                return false;
            });
            AdminCli.Result table = AdminCli.run(f, "stats", "shop", "--interval-ms", "300");
            assertEquals(0, table.exit(), table.toString());
            for (ZkFixture.Proxy p : proxies) {
                assertTrue(table.out().contains("127.0.0.1:" + p.port() + " "), table.out());
            }
            assertTrue(Pattern.compile("\ng1 +[0-9.]+ +[0-9.]+\n").matcher(table.out()).find(), table.out());
            assertTrue(Pattern.compile("\n1 +stats:hot +[0-9.]+ +[0-9.]+\n").matcher(table.out()).find(), "hottest first: " + table.out());

            AdminCli.Result json = AdminCli.run(f, "stats", "shop", "--json", "--interval-ms", "300");
            assertEquals(0, json.exit(), json.toString());
            assertEquals(2, count(json.out(), "\"address\""), json.out());
            Matcher hot = Pattern.compile("\"key\" : \"stats:hot\",\\s*\"opsPerSec\" : ([0-9.E]+)").matcher(json.out());
            assertTrue(hot.find(), json.out());
            double one = proxies.get(0).server().context().stats().hotKeys().report().byOps().get(0).opsPerSecond();
            assertTrue(Double.parseDouble(hot.group(1)) > one * 1.01, "summed over both proxies: " + hot.group() + " vs one's " + one);
            assertTrue(json.out().contains("\"backendP99Us\""), json.out());

            AdminCli.Result watch = AdminCli.run(f, "stats", "shop", "--watch", "1", "--count", "2");
            assertEquals(0, watch.exit(), watch.toString());
            assertEquals(2, count(watch.out(), "\033[H\033[2J"), "two tables, each redrawn in place");

            HostPort dead = new HostPort("127.0.0.1", freePort());
            f.admin.client().create().withMode(CreateMode.EPHEMERAL).forPath(StorePaths.proxy("shop", dead.toString()),
                    ProxyCodec.encodeProxy(new ProxyRecord(dead.toString(), dead, 0, 1, 0, null, "test")));
            AdminCli.Result partly = AdminCli.run(f, "stats", "shop", "--interval-ms", "100");
            assertEquals(1, partly.exit(), partly.toString());
            assertTrue(partly.out().contains(dead + " ") && partly.out().contains("unreadable"), partly.out());
            assertEquals(3, AdminCli.run(f, "stats", "nosuch").exit());
        }
    }

    private static int count(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** Every request sampled, windows of a second. */
    private static void everySecond(List<ZkFixture.Proxy> proxies) {
        proxies.forEach(p -> p.server().context().stats().hotKeys().configure(1, 5, 1));
    }

    /** Whether every proxy publishes {@code key} as its hottest; if so their windows stop ending, so it stays so. */
    private static boolean bothShow(List<ZkFixture.Proxy> proxies, String key) {
        proxies.forEach(p -> p.server().context().stats().hotKeys().configure(1, 5, 3600));
        for (ZkFixture.Proxy p : proxies) {
            HotKeys.Report r = p.server().context().stats().hotKeys().report();
            if (r.byOps().isEmpty() || !new String(r.byOps().get(0).key()).equals(key)) {
                everySecond(proxies);
                return false;
            }
        }
        return true;
    }
}
