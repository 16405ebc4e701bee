package io.kvstore.proxy.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.rewrite.StaticRules;
import io.kvstore.proxy.server.ProxyServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A user's key patterns are checked on the client's own key names, also when key rewrite stores
 * the key under another name: alice may use {@code user:*} (rewritten) and nothing else. The
 * positive control is the refusal of a key outside her pattern; the negative one, before the fix,
 * was her own key refused under its stored name ({@code \xffkv1:user:1}).
 */
class AclWithKeyRewriteTest {

    @RegisterExtension
    static final ProxyCluster CLUSTER = ProxyCluster.perClass(2);

    @Test
    void keyPatternsSeeTheClientsNamesNotTheStoredOnes() {
        ProxyServer proxy = CLUSTER.startProxy(o -> o.withUsers(List.of("alice on >pw ~user:* +@all")));
        proxy.context().cluster().rewrite(StaticRules.parse(List.of("user:*=1")));
        try (RespSocket p = RespSocket.connect(proxy.port())) {
            assertEquals("OK", p.call("AUTH", "alice", "pw"));
            assertEquals("OK", p.call("SET", "user:1", "v"));
            assertEquals("v", p.call("GET", "user:1"));
            assertEquals(1L, p.call("EXISTS", "user:1"));
            RespSocket.Error e = assertInstanceOf(RespSocket.Error.class, p.call("GET", "other"));
            assertTrue(e.message().startsWith("NOPERM"), e.message());
        }
        try (RespSocket admin = RespSocket.connect(proxy.port())) { // the default user sees the stored name nowhere
            assertEquals(List.of("user:1"), admin.call("KEYS", "*"));
        }
    }
}
