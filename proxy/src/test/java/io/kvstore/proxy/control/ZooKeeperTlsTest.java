package io.kvstore.proxy.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.store.ZkSettings;
import io.kvstore.config.store.ZkTls;
import io.kvstore.testing.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS to ZooKeeper ({@link ZkTls}) against a real ZooKeeper server that has only a secure client
 * port: a client with the CA and a client certificate writes and reads; one that does not trust
 * the CA, one that presents no certificate and one that speaks plain TCP never connect. The
 * client that connects is the positive control of the three refusals. All clients run in this JVM
 * at once with different settings, which holds only because no setting goes through system
 * properties.
 */
class ZooKeeperTlsTest {

    private static TestCertificates certs;
    private static TlsZooKeeper zk;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCertificates.generate();
        zk = TlsZooKeeper.start(certs);
    }

    @AfterAll
    static void stop() throws Exception {
        if (zk != null) {
            zk.close();
        }
        if (certs != null) {
            certs.close();
        }
    }

    private static ZkSettings settings(ZkTls tls) {
        return new ZkSettings(zk.connectString(), 6_000, 3_000, 0, null, tls);
    }

    @Test
    void aClientWithTheCaAndACertificateConnectsTheOthersDoNot() throws Exception {
        ZkTls good = new ZkTls(Path.of(certs.ca()), Path.of(certs.clientCert()), Path.of(certs.clientKey()));
        try (CuratorFramework c = settings(good).newClient()) {
            c.start();
            assertTrue(c.blockUntilConnected(20, TimeUnit.SECONDS), "the client with the CA connects\n" + zk.log());
            c.create().forPath("/tls-check", "over TLS".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("over TLS".getBytes(StandardCharsets.UTF_8), c.getData().forPath("/tls-check"));
        }
        ZkTls noCa = new ZkTls(null, Path.of(certs.clientCert()), Path.of(certs.clientKey()));
        assertRefused(settings(noCa), "a client without the CA (the JDK's trust store) does not trust the server");
        ZkTls rogue = new ZkTls(Path.of(certs.ca()), Path.of(certs.rogueCert()), Path.of(certs.rogueKey()));
        assertRefused(settings(rogue), "a client certificate from another CA is refused by the server");
        ZkTls noCert = new ZkTls(Path.of(certs.ca()), null, null);
        assertRefused(settings(noCert), "a client without a certificate is refused by the server");
        assertRefused(settings(null), "plain TCP to the secure port does not connect");
    }

    private static void assertRefused(ZkSettings settings, String why) throws InterruptedException {
        try (CuratorFramework c = settings.newClient()) {
            c.start();
            assertFalse(c.blockUntilConnected(5, TimeUnit.SECONDS), why);
        }
    }
}
