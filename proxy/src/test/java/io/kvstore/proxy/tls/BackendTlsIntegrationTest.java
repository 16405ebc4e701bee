package io.kvstore.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.BackendTls;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotMap;
import io.kvstore.config.redis.RespClient;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.server.ProxyServer;
import io.kvstore.testing.RedisServer;
import io.kvstore.testing.TestCertificates;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The proxy and the control plane's {@link RespClient} against redis-servers that speak only TLS
 * ({@code --port 0 --tls-port P --tls-auth-clients yes}).
 */
class BackendTlsIntegrationTest {

    private static TestCertificates certs;
    private static final List<RedisServer> servers = new ArrayList<>();

    @BeforeAll
    static void startTlsServers() {
        certs = TestCertificates.generate();
        servers.add(RedisServer.startTls(certs));
        servers.add(RedisServer.startTls(certs));
    }

    @AfterAll
    static void stopServers() {
        servers.forEach(RedisServer::close);
        if (certs != null) {
            certs.close();
        }
    }

    private static SlotMap map(BackendAuth auth) {
        List<Group> groups = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            groups.add(new Group("g" + i, HostPort.parse(servers.get(i).address()), List.of(), auth));
        }
        return SlotMap.evenlySpread(1, groups);
    }

    private static BackendAuth tls() {
        return BackendAuth.NONE.withTls(new BackendTls(certs.ca(), certs.clientCert(), certs.clientKey()));
    }

    @Test
    void proxyForwardsOverTls() {
        try (ProxyServer proxy = ProxyCluster.startProxy(map(tls()), UnaryOperator.identity());
             Jedis j = ProxyCluster.client(proxy.port())) {
            for (int i = 0; i < 100; i++) {
                assertEquals("OK", j.set("btls:" + i, "v" + i));
            }
            for (int i = 0; i < 100; i++) {
                assertEquals("v" + i, j.get("btls:" + i));
            }
            assertEquals(100L, j.del(keys(100)), "a split command reaches both groups");
        }
        long onServers = servers.stream().mapToLong(RedisServer::dbSize).sum();
        assertEquals(0, onServers);
    }

    @Test
    void withoutClientCertificateTheServerRefusesAndTheClientGetsAnError() {
        BackendAuth noCert = BackendAuth.NONE.withTls(new BackendTls(certs.ca(), null, null));
        try (ProxyServer proxy = ProxyCluster.startProxy(map(noCert), UnaryOperator.identity());
             Jedis j = ProxyCluster.client(proxy.port())) {
            JedisDataException e = assertThrows(JedisDataException.class, () -> j.set("btls:x", "1"));
            assertTrue(e.getMessage().contains("backend"), e.getMessage());
        }
    }

    @Test
    void respClientOverTls() throws IOException {
        try (RespClient c = RespClient.connect(HostPort.parse(servers.get(0).address()), tls(), 5_000)) {
            assertEquals("PONG", c.call("PING"));
            assertEquals("OK", c.call("SET", "btls:resp", "1"));
            assertEquals("1", c.call("GET", "btls:resp"));
            assertEquals(1L, c.call("DEL", "btls:resp"));
        }
    }

    @Test
    void hostNamesAreVerifiedWhenAsked() throws IOException {
        BackendTls verifying = new BackendTls(certs.ca(), certs.clientCert(), certs.clientKey(), true);
        try (RespClient c = RespClient.connect(HostPort.parse(servers.get(0).address()), BackendAuth.NONE.withTls(verifying), 5_000)) {
            assertEquals("PONG", c.call("PING"), "the certificate names 127.0.0.1");
        }
        try (TestCertificates elsewhere = TestCertificates.generate("DNS:elsewhere.example");
             RedisServer misnamed = RedisServer.startTls(elsewhere)) {
            HostPort at = HostPort.parse(misnamed.address());
            BackendTls strict = new BackendTls(elsewhere.ca(), elsewhere.clientCert(), elsewhere.clientKey(), true);
            BackendTls lenient = new BackendTls(elsewhere.ca(), elsewhere.clientCert(), elsewhere.clientKey(), false);
            assertThrows(IOException.class, () -> RespClient.connect(at, BackendAuth.NONE.withTls(strict), 5_000).close());
            try (RespClient c = RespClient.connect(at, BackendAuth.NONE.withTls(lenient), 5_000)) {
                assertEquals("PONG", c.call("PING"), "only the name is wrong: the chain is good");
            }
            SlotMap map = SlotMap.evenlySpread(1, List.of(new Group("g0", at, List.of(), BackendAuth.NONE.withTls(strict))));
            try (ProxyServer proxy = ProxyCluster.startProxy(map, UnaryOperator.identity());
                 Jedis j = ProxyCluster.client(proxy.port())) {
                JedisDataException e = assertThrows(JedisDataException.class, () -> j.set("btls:x", "1"));
                assertTrue(e.getMessage().contains("unavailable"), e.getMessage());
            }
        }
    }

    private static String[] keys(int n) {
        String[] k = new String[n];
        for (int i = 0; i < n; i++) {
            k[i] = "btls:" + i;
        }
        return k;
    }
}
