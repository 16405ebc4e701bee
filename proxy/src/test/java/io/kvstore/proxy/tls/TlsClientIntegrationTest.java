package io.kvstore.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.BackendTls;
import io.kvstore.config.HostPort;
import io.kvstore.proxy.it.support.Lettuce;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.server.ProxyServer;
import io.kvstore.testing.Await;
import io.kvstore.testing.TestCertificates;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;

/**
 * Clients over TLS through the proxy (plain redis-servers behind it): redis-cli, Jedis and Lettuce
 * with a client certificate, refusal of a missing or untrusted one with {@code tls-auth-clients
 * yes}, the plain listener beside the TLS one, and a certificate rotation that drops no connection.
 */
class TlsClientIntegrationTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(2);

    private static TestCertificates certs;
    private static ProxyServer proxy;

    @BeforeAll
    static void startTlsProxy() {
        certs = TestCertificates.generate();
        proxy = cluster.startProxy(o -> o.withTls(TlsOptions.of(HostPort.parse("127.0.0.1:0"),
                certs.serverCert(), certs.serverKey(), certs.ca()).withReloadMillis(50)));
    }

    @AfterAll
    static void removeCertificates() {
        if (certs != null) {
            certs.close();
        }
    }

    @Test
    void redisCliOverTls() throws Exception {
        assertEquals("OK", cli("--cert", certs.clientCert(), "--key", certs.clientKey(), "set", "tls:cli", "hello").trim());
        assertEquals("hello", cli("--cert", certs.clientCert(), "--key", certs.clientKey(), "get", "tls:cli").trim());
        try (Jedis plain = ProxyCluster.client(proxy.port())) {
            assertEquals("hello", plain.get("tls:cli"), "the plain listener serves the same cluster");
        }
    }

    @Test
    void jedisOverTls() {
        try (Jedis j = jedis(new BackendTls(certs.ca(), certs.clientCert(), certs.clientKey()).socketFactory())) {
            for (int i = 0; i < 50; i++) {
                assertEquals("OK", j.set("tls:jedis:" + i, "v" + i));
            }
            for (int i = 0; i < 50; i++) {
                assertEquals("v" + i, j.get("tls:jedis:" + i));
            }
        }
    }

    @Test
    void lettuceOverTls() {
        SslOptions ssl = SslOptions.builder().jdkSslProvider().trustManager(new File(certs.ca()))
                .keyManager(new File(certs.clientCert()), new File(certs.clientKey()), null).build();
        try (Lettuce lettuce = Lettuce.of(proxy.tlsPort(), o -> o.sslOptions(ssl))) {
            RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(proxy.tlsPort()).withSsl(true)
                    .withTimeout(Duration.ofSeconds(60)).build(); // verifies the peer fully: the IP is in the certificate
            try (StatefulRedisConnection<String, String> c = lettuce.client().connect(uri)) {
                assertEquals("OK", c.sync().set("tls:lettuce", "x"));
                assertEquals("x", c.sync().get("tls:lettuce"));
                assertEquals(3L, c.sync().rpush("tls:lettuce:l", "a", "b", "c"));
            }
        }
    }

    @Test
    void clientWithoutCertificateIsRefused() throws Exception {
        SSLSocketFactory noCert = new BackendTls(certs.ca(), null, null).socketFactory();
        assertThrows(RuntimeException.class, () -> {
            try (Jedis j = jedis(noCert)) {
                j.ping();
            }
        });
        String out = cli("ping");
        assertTrue(!out.contains("PONG"), out);
    }

    @Test
    void clientWithCertificateOfAnotherCaIsRefused() throws Exception {
        SSLSocketFactory rogue = new BackendTls(certs.ca(), certs.rogueCert(), certs.rogueKey()).socketFactory();
        assertThrows(RuntimeException.class, () -> {
            try (Jedis j = jedis(rogue)) {
                j.ping();
            }
        });
        String out = cli("--cert", certs.rogueCert(), "--key", certs.rogueKey(), "ping");
        assertTrue(!out.contains("PONG"), out);
    }

    @Test
    void certificateRotationKeepsConnections() throws Exception {
        SSLSocketFactory factory = new BackendTls(certs.ca(), certs.clientCert(), certs.clientKey()).socketFactory();
        assertTrue(serverName(factory).contains("kvstore-test-server"));
        try (Jedis before = jedis(factory)) {
            assertEquals("OK", before.set("tls:rotate", "1"));
            certs.reissueServer("kvstore-rotated-server");
            Await.until("a new connection to get the rotated certificate", Duration.ofSeconds(10),
                    () -> serverName(factory).contains("kvstore-rotated-server"));
            assertEquals(2L, before.incr("tls:rotate"), "the connection made before the rotation still works");
        }
    }

    @Test
    void filesThatCannotBeLoadedKeepThePreviousCertificate() throws Exception {
        try (TestCertificates own = TestCertificates.generate()) {
            ProxyServer p = cluster.startProxy(o -> o.withTls(TlsOptions.of(HostPort.parse("127.0.0.1:0"),
                    own.serverCert(), own.serverKey(), own.ca()).withReloadMillis(20)));
            SSLSocketFactory factory = new BackendTls(own.ca(), own.clientCert(), own.clientKey()).socketFactory();
            Path broken = Files.writeString(Path.of(own.serverCert() + ".tmp"), "not a certificate\n");
            Files.move(broken, Path.of(own.serverCert()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Await.until("the broken file to be tried", Duration.ofSeconds(10), () -> p.tls().reloadFailures() >= 1);
            assertTrue(serverName(factory, p.tlsPort()).contains("kvstore-test-server"), "the previous certificate stays");
            own.reissueServer("kvstore-fixed-server");
            Await.until("the next change to be loaded", Duration.ofSeconds(10),
                    () -> serverName(factory, p.tlsPort()).contains("kvstore-fixed-server"));
        }
    }

    @Test
    void jdkEngineServesToo() {
        ProxyServer jdk = cluster.startProxy(o -> o.withTls(TlsOptions.of(HostPort.parse("127.0.0.1:0"),
                certs.serverCert(), certs.serverKey(), certs.ca()).withEngine("jdk")));
        SSLSocketFactory factory = new BackendTls(certs.ca(), certs.clientCert(), certs.clientKey()).socketFactory();
        try (Jedis j = new Jedis("127.0.0.1", jdk.tlsPort(), DefaultJedisClientConfig.builder().ssl(true)
                .sslSocketFactory(factory).connectionTimeoutMillis(5_000).socketTimeoutMillis(30_000).build())) {
            assertEquals("OK", j.set("tls:jdk", "1"));
            assertEquals("1", j.get("tls:jdk"));
        }
        assertThrows(RuntimeException.class, () -> {
            try (Jedis j = new Jedis("127.0.0.1", jdk.tlsPort(), DefaultJedisClientConfig.builder().ssl(true)
                    .sslSocketFactory(new BackendTls(certs.ca(), null, null).socketFactory())
                    .connectionTimeoutMillis(5_000).socketTimeoutMillis(30_000).build())) {
                j.ping();
            }
        }, "no client certificate: refused by the JDK engine too");
    }

    /** The subject of the certificate the TLS listener presents to a new connection. */
    private static String serverName(SSLSocketFactory factory) throws IOException {
        return serverName(factory, proxy.tlsPort());
    }

    private static String serverName(SSLSocketFactory factory, int port) throws IOException {
        try (SSLSocket s = (SSLSocket) factory.createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    private static Jedis jedis(SSLSocketFactory factory) {
        return new Jedis("127.0.0.1", proxy.tlsPort(), DefaultJedisClientConfig.builder().ssl(true).sslSocketFactory(factory)
                .connectionTimeoutMillis(5_000).socketTimeoutMillis(30_000).build());
    }

    /** redis-cli --tls against the TLS listener; returns stdout+stderr; fails if it does not end in time. */
    private static String cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(proxy.tlsPort()),
                "--tls", "--cacert", certs.ca()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("redis-cli-tls-", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("redis-cli did not finish: " + Files.readString(out));
            }
            return Files.readString(out);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
