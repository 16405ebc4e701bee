package io.kvstore.config;

import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * TLS to redis-servers that run {@code tls-port}: the PEM files of the CA that signed their
 * certificates and, when they run {@code tls-auth-clients yes}, of the client certificate and key
 * to present. Immutable value; part of {@link BackendAuth} so every connection to a redis-server
 * (the proxy's data path, its health checks and failover, the admin) uses the same settings.
 *
 * <p>The server's certificate chain is always verified against {@code ca}; its host name only with
 * {@code verifyHostname} (off by default, as Redis does for replication: then a certificate signed
 * by the CA is trusted for any server).
 *
 * @param ca   PEM file of the CA certificate(s) trusted for the servers' certificates
 * @param cert PEM file of the client certificate, or null (or blank) to present none
 * @param key  PEM file (PKCS#8) of the client certificate's key, or null
 * @param verifyHostname whether the server's certificate must name the host (or IP) it is reached at
 */
public record BackendTls(String ca, String cert, String key, boolean verifyHostname) {

    /** Host names not verified. */
    public BackendTls(String ca, String cert, String key) {
        this(ca, cert, key, false);
    }

    private static final Map<BackendTls, SSLSocketFactory> SOCKET_FACTORIES = new ConcurrentHashMap<>();

    public BackendTls {
        cert = cert == null || cert.isBlank() ? null : cert; // an empty option or variable is no file
        key = key == null || key.isBlank() ? null : key;
        if (ca == null || ca.isBlank()) {
            throw new IllegalArgumentException("backend TLS needs a CA file (--backend-tls-ca)");
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("a backend client certificate needs its key, and a key its certificate");
        }
    }

    /**
     * Wraps a connected socket to {@code host}:{@code port} in TLS and does the handshake (bounded
     * by the socket's read timeout).
     */
    public SSLSocket handshake(Socket plain, String host, int port) throws IOException {
        SSLSocket tls = (SSLSocket) socketFactory().createSocket(plain, host, port, true);
        if (verifyHostname) {
            SSLParameters p = tls.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(p);
        }
        tls.startHandshake();
        return tls;
    }

    /**
     * A blocking socket factory for the control plane ({@code RespClient}), built with the JDK's
     * TLS once per distinct setting and kept: the files are read on the first call only.
     */
    public SSLSocketFactory socketFactory() {
        return SOCKET_FACTORIES.computeIfAbsent(this, t -> {
            try {
                SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).trustManager(new File(t.ca));
                if (t.cert != null) {
                    b.keyManager(new File(t.cert), new File(t.key));
                }
                return ((JdkSslContext) b.build()).context().getSocketFactory();
            } catch (SSLException | RuntimeException e) {
                throw new IllegalArgumentException("cannot load backend TLS files (" + t + "): " + e.getMessage(), e);
            }
        });
    }
}
