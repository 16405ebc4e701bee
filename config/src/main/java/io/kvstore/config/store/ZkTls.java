package io.kvstore.config.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * TLS to ZooKeeper's secure client port: the PEM files a client trusts and presents. Immutable
 * value; {@link #clientConfig()} may be called from any thread.
 *
 * <p>The settings go into one {@link ZKClientConfig} per Curator client, never into global
 * {@code zookeeper.*} system properties: several clients (and, in tests, servers) share a JVM,
 * and a property set for one would silently apply to all.
 *
 * @param ca   PEM file of the CA certificates the server's certificate must chain to, or null for
 *             the JDK's default trust store
 * @param cert PEM file of this client's certificate (chain), or null to present none (the server
 *             then must not require one: ZooKeeper's {@code ssl.clientAuth=none|want})
 * @param key  PEM file of the certificate's private key (PKCS#8, unencrypted); with {@code cert}
 */
public record ZkTls(Path ca, Path cert, Path key) {

    /** Netty's client socket: the only one of ZooKeeper's clients that speaks TLS. */
    private static final String NETTY_SOCKET = "org.apache.zookeeper.ClientCnxnSocketNetty";

    public ZkTls {
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("--zk-tls-cert and --zk-tls-key go together");
        }
        for (Path p : new Path[] {ca, cert, key}) {
            if (p != null && !Files.isReadable(p)) {
                throw new IllegalArgumentException("cannot read ZooKeeper TLS file " + p);
            }
        }
    }

    /** From the command line's strings: null when TLS is off; a path may be null or empty (not given). */
    public static ZkTls of(boolean on, String ca, String cert, String key) {
        if (!on) {
            if (given(ca) || given(cert) || given(key)) {
                throw new IllegalArgumentException("--zk-tls-ca, --zk-tls-cert and --zk-tls-key need --zk-tls");
            }
            return null;
        }
        return new ZkTls(given(ca) ? Path.of(ca) : null, given(cert) ? Path.of(cert) : null, given(key) ? Path.of(key) : null);
    }

    private static boolean given(String s) {
        return s != null && !s.isBlank();
    }

    /**
     * A client configuration for TLS with these files. Every TLS setting is written, empty when not
     * given, so nothing is taken from {@code zookeeper.ssl.*} system properties; the server's host
     * name is verified against its certificate (ZooKeeper's default).
     */
    public ZKClientConfig clientConfig() {
        ZKClientConfig c = new ZKClientConfig();
        c.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        c.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, NETTY_SOCKET);
        c.setProperty("zookeeper.ssl.trustStore.location", ca == null ? "" : ca.toString());
        c.setProperty("zookeeper.ssl.trustStore.type", ca == null ? "" : "PEM");
        c.setProperty("zookeeper.ssl.trustStore.password", "");
        c.setProperty("zookeeper.ssl.keyStore.location", cert == null ? "" : keyStore().toString());
        c.setProperty("zookeeper.ssl.keyStore.type", cert == null ? "" : "PEM");
        c.setProperty("zookeeper.ssl.keyStore.password", "");
        c.setProperty("zookeeper.ssl.hostnameVerification", "true");
        return c;
    }

    /**
     * ZooKeeper reads a PEM key store as one file holding the key and its certificates; given as two
     * files (as Redis's and the proxy's own options take them), they are joined into a file only
     * its owner may read, removed when the JVM exits.
     */
    private Path keyStore() {
        if (cert.equals(key)) {
            return cert;
        }
        try {
            Path joined = Files.createTempFile("kvstore-zk-tls-", ".pem",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            joined.toFile().deleteOnExit();
            Files.writeString(joined, Files.readString(key) + "\n" + Files.readString(cert));
            return joined;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the ZooKeeper TLS key store: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "TLS" + (ca == null ? "" : " (CA " + ca + ")");
    }
}
