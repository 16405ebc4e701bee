package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.server.ProxyOptions;
import io.kvstore.proxy.server.ProxyServer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ProxyOptions} promises that listening on port 0 picks a free port, which is how tests
 * (and anyone embedding the proxy) avoid port clashes. No redis-server is needed: PING is
 * answered by the proxy itself.
 */
class ListenPortZeroIntegrationTest {

    @Test
    void listeningOnPortZeroPicksAFreePort() throws Exception {
        SlotMap map = SlotMap.evenlySpread(1, List.of(Group.of("g0", HostPort.parse("127.0.0.1:6379"))));
        try (ProxyServer server = ProxyServer.start(ProxyOptions.on(HostPort.parse("127.0.0.1:0")).withThreads(1), map)) {
            assertTrue(server.port() > 0, "bound port " + server.port());
            try (RespSocket s = RespSocket.connect(server.port())) {
                assertEquals("PONG", s.call("PING"));
            }
        }
    }
}
