package io.kvstore.proxy.control;

import io.kvstore.testing.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real ZooKeeper server with only a secure client port (Netty, PEM key and trust stores from
 * {@link TestCertificates}), run as its own JVM: a ZooKeeper server turns its TLS settings into
 * {@code zookeeper.*} system properties, which must not leak into the clients of the test's JVM.
 * It requires client certificates (ZooKeeper's default {@code ssl.clientAuth=need}). One
 * controlling thread; {@link #close()} stops the process and removes its directory.
 */
final class TlsZooKeeper implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final int port;

    private TlsZooKeeper(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    static TlsZooKeeper start(TestCertificates certs) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("kvstore-zk-tls-");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path keyStore = Files.writeString(dir.resolve("server.pem"),
                Files.readString(Path.of(certs.serverKey())) + Files.readString(Path.of(certs.serverCert())));
        Path cfg = Files.writeString(dir.resolve("zoo.cfg"), String.join("\n",
                "tickTime=2000",
                "dataDir=" + dir.resolve("data"),
                "secureClientPortAddress=127.0.0.1",
                "secureClientPort=" + port,
                "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
                "ssl.keyStore.location=" + keyStore,
                "ssl.keyStore.type=PEM",
                "ssl.trustStore.location=" + certs.ca(),
                "ssl.trustStore.type=PEM",
                "admin.enableServer=false",
                ""));
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.apache.zookeeper.server.ZooKeeperServerMain", cfg.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("zookeeper.log").toFile()).start();
        TlsZooKeeper zk = new TlsZooKeeper(p, dir, port);
        for (int i = 0; i < 300 && !zk.listening(); i++) { // at most 30 s for the JVM to start
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        if (!zk.listening()) {
            String log = Files.readString(dir.resolve("zookeeper.log"));
            zk.close();
            throw new IllegalStateException("the TLS ZooKeeper did not start:\n" + log);
        }
        return zk;
    }

    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    String connectString() {
        return "127.0.0.1:" + port;
    }

    String log() {
        try {
            return Files.readString(dir.resolve("zookeeper.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
