package io.kvstore.proxy.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.reshard.AdminCli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Users set with {@code kvstore-admin user} are kept in ZooKeeper and applied live by every
 * proxy: two proxies on one ZooKeeper see a new user, a changed rule and a deletion, which closes
 * the deleted user's connections and no other.
 */
class UsersLiveChangeTest {

    private static final String CLUSTER = "acl";

    private static ZkFixture f;
    private static ZkFixture.Proxy one;
    private static ZkFixture.Proxy two;

    @BeforeAll
    static void start() throws Exception {
        f = ZkFixture.start(1);
        f.createCluster(CLUSTER, 1);
        one = f.startProxy(CLUSTER);
        two = f.startProxy(CLUSTER);
    }

    @AfterAll
    static void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    private static Object as(ZkFixture.Proxy p, String user, String pass, String... command) {
        try (RespSocket s = RespSocket.connect(p.port())) {
            Object auth = s.call("AUTH", user, pass);
            return auth instanceof RespSocket.Error ? auth : s.call(command);
        }
    }

    private static boolean noperm(Object reply) {
        return reply instanceof RespSocket.Error e && e.message().startsWith("NOPERM");
    }

    @Test
    void aUserSetThroughTheAdminIsAppliedByEveryProxy() {
        AdminCli.Result set = AdminCli.run(f, "user", "set", CLUSTER, "alice", "on", ">pw1", "~app:*", "+get", "+set");
        assertEquals(0, set.exit(), set.toString());
        assertFalse(set.out().contains("pw1"), "only the password's SHA-256 is written: " + set.out());
        for (ZkFixture.Proxy p : new ZkFixture.Proxy[] {one, two}) {
            ZkFixture.await("proxy " + p.id() + " to know alice", () -> "OK".equals(as(p, "alice", "pw1", "SET", "app:1", "v")));
            assertTrue(noperm(as(p, "alice", "pw1", "GET", "other")));
            assertTrue(noperm(as(p, "alice", "pw1", "DEL", "app:1")));
        }
        assertEquals(0, AdminCli.run(f, "user", "set", CLUSTER, "alice", "--", "-set").exit());
        for (ZkFixture.Proxy p : new ZkFixture.Proxy[] {one, two}) {
            ZkFixture.await("proxy " + p.id() + " to take alice's -set", () -> noperm(as(p, "alice", "pw1", "SET", "app:1", "v")));
            assertEquals("v", as(p, "alice", "pw1", "GET", "app:1"));
        }
        AdminCli.Result list = AdminCli.run(f, "user", "list", CLUSTER);
        assertTrue(list.out().startsWith("alice on #"), list.toString());
        assertEquals(3, AdminCli.run(f, "user", "del", CLUSTER, "nobody").exit());
    }

    @Test
    void deletingAUserClosesItsConnectionsOnly() {
        assertEquals(0, AdminCli.run(f, "user", "set", CLUSTER, "bob", "on", ">pw2", "allkeys", "+@all").exit());
        ZkFixture.await("proxy one to know bob", () -> "OK".equals(as(one, "bob", "pw2", "SET", "k", "v")));
        try (RespSocket bob = RespSocket.connect(one.port()); RespSocket other = RespSocket.connect(one.port())) {
            assertEquals("OK", bob.call("AUTH", "bob", "pw2"));
            assertEquals("PONG", bob.call("PING"));
            assertEquals("PONG", other.call("PING"));
            assertEquals(0, AdminCli.run(f, "user", "del", CLUSTER, "bob").exit());
            bob.readTimeout(20_000);
            assertEquals(0, bob.readUntilEof().length, "bob's connection is closed (fails if still open after 20 s)");
            assertEquals("PONG", other.call("PING"), "the default user's connection stays");
        }
        assertTrue(as(one, "bob", "pw2", "PING") instanceof RespSocket.Error, "bob can no longer log in");
    }
}
