package io.kvstore.proxy.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.server.ProxyServer;
import io.kvstore.proxy.session.UserConnections;
import io.kvstore.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --max-connections-per-user} and its per-user overrides, through a proxy in front of a real
 * redis-server: a login past the limit is refused with the documented error and closed, a place
 * is given back when a connection closes or logs in as another user, and INFO counts refusals.
 * Positive controls: the same logins succeed below the limit and for another user.
 */
class ConnectionsPerUserTest {

    private static final String REFUSED = "-ERR max number of connections for user 'alice' reached";

    @RegisterExtension
    static final ProxyCluster CLUSTER = ProxyCluster.perClass(1);

    private static ProxyServer proxy(int perUser, Map<String, Integer> overrides) {
        ProxyServer proxy = CLUSTER.startProxy(o -> o.withUsers(List.of("alice on >pa ~* +@all", "bob on >pb ~* +@all")));
        proxy.context().access().connections().limits(new UserConnections.Limits(perUser, overrides));
        return proxy;
    }

    @Test
    void aLoginPastTheLimitIsRefusedAndClosed() {
        ProxyServer proxy = proxy(0, Map.of("alice", 2));
        try (RespSocket a1 = RespSocket.connect(proxy.port()); RespSocket a2 = RespSocket.connect(proxy.port());
             RespSocket a3 = RespSocket.connect(proxy.port()); RespSocket b = RespSocket.connect(proxy.port())) {
            assertEquals("OK", a1.call("AUTH", "alice", "pa"));
            assertTrue(a2.call("HELLO", "2", "AUTH", "alice", "pa") instanceof List, "HELLO's AUTH counts too");
            assertEquals("OK", a1.call("SET", "k", "v"), "below the limit alice is served");
            assertEquals(REFUSED, a3.call("AUTH", "alice", "pa").toString());
            assertEquals(0, a3.readUntilEof().length, "the refused connection is closed");
            assertEquals("OK", b.call("AUTH", "bob", "pb"), "the limit is alice's: bob still logs in (no limit for him)");
            assertEquals("OK", a1.call("AUTH", "alice", "pa"), "re-authenticating as the same user keeps its place");
            assertEquals(2, proxy.context().access().connections().count("alice"));
            assertTrue(info(b).contains("rejected_connections_per_user:1\r\n"), "INFO counts the refusal");
        }
    }

    @Test
    void aPlaceIsGivenBackOnCloseAndOnAuthAsAnotherUser() throws InterruptedException {
        ProxyServer proxy = proxy(1, Map.of(Users.DEFAULT, 0));
        UserConnections counts = proxy.context().access().connections();
        try (RespSocket a1 = RespSocket.connect(proxy.port())) {
            assertEquals("OK", a1.call("AUTH", "alice", "pa"));
            try (RespSocket b = RespSocket.connect(proxy.port()); RespSocket a2 = RespSocket.connect(proxy.port())) {
                assertEquals("OK", b.call("AUTH", "bob", "pb"));
                assertEquals(REFUSED, a2.call("AUTH", "alice", "pa").toString(), "positive control: alice is at her limit");
            }
            awaitCount(counts, "bob", 0); // b closed
            assertEquals("OK", a1.call("AUTH", "bob", "pb"), "bob's place came back when his connection closed");
            assertEquals(0, counts.count("alice"), "a1 left alice's place when it logged in as bob");
            try (RespSocket a3 = RespSocket.connect(proxy.port())) {
                assertEquals("OK", a3.call("AUTH", "alice", "pa"));
            }
            awaitCount(counts, "alice", 0);
            try (RespSocket a4 = RespSocket.connect(proxy.port())) {
                assertEquals("OK", a4.call("AUTH", "alice", "pa"), "alice's place came back when a3 closed");
            }
        }
    }

    @Test
    void theDefaultUserWithoutPasswordCountsFromConnect() {
        ProxyServer proxy = proxy(0, Map.of(Users.DEFAULT, 1));
        try (RespSocket c1 = RespSocket.connect(proxy.port())) {
            // c2 connects only once c1 is served: the proxy accepts on two loops, in either order
            assertEquals("PONG", c1.call("PING"), "positive control: the first default connection is served");
            RespSocket c2 = RespSocket.connect(proxy.port());
            assertEquals("-ERR max number of connections for user 'default' reached", c2.read().toString());
            assertEquals(0, c2.readUntilEof().length, "the second is refused at connect and closed");
            c2.close();
            assertEquals("OK", c1.call("AUTH", "alice", "pa"));
            try (RespSocket c3 = RespSocket.connect(proxy.port())) {
                assertEquals("PONG", c3.call("PING"), "c1 gave the default user's place back when it became alice");
                assertEquals("-ERR max number of connections for user 'default' reached",
                        c1.call("RESET").toString(), "RESET logs c1 in as the default user again, who has no room");
                assertEquals(0, c1.readUntilEof().length);
            }
        }
    }

    /** Waits, at most 10 s, for a close to reach the proxy's loop; fails if it does not. */
    private static void awaitCount(UserConnections counts, String user, int expected) {
        Await.until(user + "'s connections to be " + expected, Duration.ofSeconds(10), () -> counts.count(user) == expected);
    }

    private static String info(RespSocket s) {
        return (String) s.call("INFO", "proxy");
    }
}
