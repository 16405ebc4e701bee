package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * CONFIG GET through the proxy answers backend parameters from the groups (the first group's
 * value) merged with the proxy's own settings, which win where both have a name: a map in RESP3,
 * a flat array of pairs in RESP2, as Redis answers.
 */
class ConfigGetIntegrationTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @Test
    void backendParametersAndProxySettings() {
        Map<String, String> direct;
        try (Jedis j = cluster.shard(0).client()) {
            direct = j.configGet("*");
        }
        for (String protocol : List.of("2", "3")) {
            try (RespSocket s = RespSocket.connect(cluster.port())) {
                s.call("HELLO", protocol);
                Map<String, String> got = pairs(s.call("CONFIG", "GET", "maxmemory", "slowlog-log-slower-than",
                        "notify-keyspace-events", "maxclients", "maxmemory-p*"));
                assertEquals(direct.get("maxmemory"), got.get("maxmemory"), "RESP" + protocol + ": " + got);
                assertEquals(direct.get("slowlog-log-slower-than"), got.get("slowlog-log-slower-than"));
                assertEquals(direct.get("notify-keyspace-events"), got.get("notify-keyspace-events"));
                assertEquals(direct.get("maxmemory-policy"), got.get("maxmemory-policy"));
                assertEquals(Integer.toString(ProxyCluster.baseOptions().clientLimits().maxClients()), got.get("maxclients"),
                        "the proxy's own limit, not a backend's");
                assertEquals(5, got.size(), got.toString());
                assertTrue(pairs(s.call("CONFIG", "GET", "no-such-parameter")).isEmpty());
            }
        }
    }

    private static Map<String, String> pairs(Object reply) {
        Map<String, String> out = new HashMap<>();
        if (reply instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put((String) k, (String) v));
        } else {
            List<?> flat = (List<?>) reply;
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                out.put((String) flat.get(i), (String) flat.get(i + 1));
            }
        }
        return out;
    }
}
