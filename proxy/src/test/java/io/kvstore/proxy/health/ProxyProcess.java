package io.kvstore.proxy.health;

import io.kvstore.proxy.server.ProxyMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code kvstore-proxy} in a JVM of its own (this test JVM's classpath), so a test can kill it for
 * real ({@code kill -9}: its ZooKeeper session then ends by timeout, as after a crash). Its log
 * goes to a file. One controlling thread.
 */
final class ProxyProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private ProxyProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts {@code kvstore-proxy --zk zk --cluster cluster ARGS...}. */
    static ProxyProcess start(String zk, String cluster, String... args) throws IOException {
        return start(List.of(ProxyMain.class.getName()), zk, cluster, args);
    }

    /**
     * The same, but its failover controller sleeps {@code ms} after failover step {@code step}
     * ({@link PausingProxy}), so that the test can kill it there.
     */
    static ProxyProcess pausingAfter(String step, long ms, String zk, String cluster, String... args) throws IOException {
        return start(List.of(PausingProxy.class.getName(), step + ":" + ms), zk, cluster, args);
    }

    /** {@code main}: the main class and its first arguments, before the proxy's own. */
    private static ProxyProcess start(List<String> main, String zk, String cluster, String... args) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        Path log = Files.createTempFile("kvstore-proxy-", ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.addAll(main);
        cmd.addAll(List.of("--listen", "127.0.0.1:" + port, "--zk", zk, "--cluster", cluster, "--threads", "1"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ProxyProcess(p, port, log);
    }

    String id() {
        return "127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL, and waits for the process to be gone. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        kill();
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temporary file
        }
    }
}
