package io.kvstore.proxy.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.BackendTls;
import io.kvstore.config.HostPort;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.tls.TlsOptions;
import io.kvstore.testing.Await;
import io.kvstore.testing.TestCertificates;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import sun.misc.Signal;

/**
 * A real SIGHUP, raised in this JVM, makes the proxy's TLS listener re-read a certificate that
 * its file check (every hour here) has not seen yet. The control: after the files changed and
 * before the signal, a new connection still gets the old certificate. Without the handler the
 * signal would end this JVM (the JVM's default for SIGHUP), which fails the run too.
 */
class HangupReloadTest {

    @RegisterExtension
    static final ProxyCluster CLUSTER = ProxyCluster.perClass(1);

    @Test
    void sighupReloadsTheCertificateNow() throws Exception {
        try (TestCertificates certs = TestCertificates.generate()) {
            ProxyServer proxy = CLUSTER.startProxy(o -> o.withTls(TlsOptions.of(HostPort.parse("127.0.0.1:0"),
                    certs.serverCert(), certs.serverKey(), certs.ca()).withReloadMillis(3_600_000)));
            SSLSocketFactory factory = new BackendTls(certs.ca(), certs.clientCert(), certs.clientKey()).socketFactory();
            Hangup.onSignal(proxy::reloadTls);
            certs.reissueServer("kvstore-hup-server");
            String name = serverName(factory, proxy.tlsPort());
            assertTrue(name.contains("kvstore-test-server"), "no reload before the signal: " + name);
            Signal.raise(new Signal("HUP"));
            Await.until("a new connection after SIGHUP to get the reissued certificate", Duration.ofSeconds(10),
                    () -> serverName(factory, proxy.tlsPort()).contains("kvstore-hup-server"));
        }
    }

    private static String serverName(SSLSocketFactory factory, int port) throws IOException {
        try (SSLSocket s = (SSLSocket) factory.createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }
}
