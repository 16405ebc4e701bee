package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.testing.Await;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/**
 * The drain on a slot-map switch ({@code ProxyServer.mapChanged}) covers a client's own (dedicated)
 * connection: a transaction's EXEC in flight there is answered before the switch returns, that is
 * before the proxy would report the epoch as applied and a migration step could start. The server
 * holds the EXEC with {@code CLIENT PAUSE WRITE} (reads still go, so the test can look).
 */
class DrainBarrierIntegrationTest {

    @Test
    void aSwitchWaitsForAnExecInFlightOnTheClientsOwnConnection() throws Exception {
        try (ProxyCluster cluster = ProxyCluster.start(1);
             Jedis direct = cluster.shard(0).client();
             RespSocket s = RespSocket.connect(cluster.port(), 30_000)) {
            assertEquals("OK", s.call("MULTI"));
            assertEquals("QUEUED", s.call("SET", "drain:k", "v"));
            direct.sendCommand(Protocol.Command.CLIENT, "PAUSE", "4000", "WRITE");
            s.command("EXEC");
            Await.until("control: the EXEC is held by the server, in flight on the client's own connection",
                    Duration.ofSeconds(10),
                    () -> direct.clientList().lines().anyMatch(l -> l.contains(" flags=xb ") || l.contains(" flags=bx ")));
            assertNull(direct.get("drain:k"), "control: not applied yet");

            cluster.proxy().mapChanged(cluster.map());

            assertEquals("v", direct.get("drain:k"), "the switch returned only once the EXEC in flight was answered");
            assertEquals(List.of("OK"), s.read());
        }
    }
}
