package io.kvstore.proxy.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.testing.Await;
import io.kvstore.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A blocked XREADGROUP whose stream is deleted, replaced by another type, or loses its group
 * while the client waits: Redis 7.0 answers the waiting client with an error (-UNBLOCKED ...,
 * -NOGROUP ...); through the proxy the client must get the same reply, not the result of
 * running the command again. The stream lives on each group in turn.
 */
class BlockedStreamDifferentialTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @RegisterExtension
    static final RedisServer plain = RedisServer.perClass();

    @Test
    void waitingReaderGetsRedisError() throws InterruptedException {
        String[][] changes = {{"DEL"}, {"MULTI", "DEL", "SET", "EXEC"}, {"XGROUP DESTROY"}};
        Map<String, List<String>> bySide = new LinkedHashMap<>();
        for (int port : new int[] {plain.port(), cluster.port()}) {
            String side = port == plain.port() ? "redis" : "proxy";
            List<String> seen = new ArrayList<>();
            for (int shard = 0; shard < 3; shard++) {
                String stream = cluster.keysOn(shard, "bs." + shard + ".", 1).get(0);
                for (String[] change : changes) {
                    try (RawRespClient admin = RawRespClient.connect(port, side + "-admin");
                         RawRespClient reader = RawRespClient.connect(port, side + "-reader")) {
                        admin.call("DEL", stream);
                        admin.call("XGROUP", "CREATE", stream, "g", "$", "MKSTREAM");
                        reader.send(List.of(bytes("XREADGROUP"), bytes("GROUP"), bytes("g"), bytes("c"), bytes("BLOCK"),
                                bytes("0"), bytes("STREAMS"), bytes(stream), bytes(">")));
                        awaitBlocked(admin);
                        for (String step : change) {
                            switch (step) {
                                case "DEL" -> admin.call("DEL", stream);
                                case "SET" -> admin.call("SET", stream, "x");
                                case "XGROUP DESTROY" -> admin.call("XGROUP", "DESTROY", stream, "g");
                                default -> admin.call(step);
                            }
                        }
                        seen.add(String.join("+", change) + " on group " + shard + ": " + reader.read().render());
                        seen.add("then: " + reader.call("PING").render());
                    }
                }
            }
            bySide.put(side, seen);
        }
        assertEquals(bySide.get("redis"), bySide.get("proxy"), "the blocked reader's reply through the proxy");
    }

    /** Waits (bounded) until INFO counts one blocked client: the reader's XREADGROUP has reached its server. */
    private static void awaitBlocked(RawRespClient admin) {
        Await.until("the XREADGROUP to block", Duration.ofSeconds(10),
                () -> admin.call("INFO", "clients").text().contains("blocked_clients:1"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
