package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.server.ProxyServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --timeout}: an idle client is closed, while a subscribed one, idle as long, is not (as
 * Redis leaves Pub/Sub clients alone); the closed one is the positive control.
 */
class IdleTimeoutIntegrationTest {

    @RegisterExtension
    static final ProxyCluster CLUSTER = ProxyCluster.perClass(1);

    @Test
    void anIdleClientIsClosedButNotASubscribedOne() {
        ProxyServer proxy = CLUSTER.startProxy(o -> o);
        proxy.idleTimeout(1);
        try (RespSocket idle = RespSocket.connect(proxy.port()); RespSocket subscriber = RespSocket.connect(proxy.port())) {
            assertEquals("PONG", idle.call("PING"));
            assertInstanceOf(List.class, subscriber.call("SUBSCRIBE", "news"));
            idle.readTimeout(20_000);
            assertEquals(0, idle.readUntilEof().length, "the idle client is closed (fails if still open after 20 s)");
            assertEquals(List.of("pong", ""), subscriber.call("PING"), "the subscribed client, idle as long, is still served");
        }
    }
}
