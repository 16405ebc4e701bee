package io.kvstore.admin;

import io.kvstore.config.HostPort;
import io.kvstore.config.redis.RespClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real redis-server process on a free 127.0.0.1 port, without persistence, for admin tests
 * ({@code KVSTORE_REDIS_SERVER} names the binary, as for proxy's RedisServer).
 * One controlling thread; {@link #close()} stops it and removes its directory.
 */
final class TestRedis implements AutoCloseable {

    private final Path dir;
    private final int port;
    private Process process;

    private TestRedis(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    static TestRedis start() throws IOException {
        Path dir = Files.createTempDirectory("kvstore-admin-redis-");
        IOException last = null;
        for (int attempt = 0; attempt < 8; attempt++) {
            int port = freePort();
            Process p = new ProcessBuilder(System.getenv().getOrDefault("KVSTORE_REDIS_SERVER", "redis-server"), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", dir.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
            for (int i = 0; i < 400 && p.isAlive(); i++) {
                try (RespClient c = RespClient.connect(new HostPort("127.0.0.1", port), 500)) {
                    if ("PONG".equals(c.call("PING"))) {
                        return new TestRedis(dir, port, p);
                    }
                } catch (IOException e) {
                    last = e;
                }
                sleep(25);
            }
            p.destroyForcibly();
        }
        throw new IOException("could not start redis-server", last);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HostPort address() {
        return new HostPort("127.0.0.1", port);
    }

    /** Runs one command on the server. */
    Object call(String... words) throws IOException {
        try (RespClient c = RespClient.connect(address(), 5_000)) {
            return c.call(words);
        }
    }

    /** Makes this server a replica of {@code master} and waits (bounded) for the link to come up. */
    void replicate(TestRedis master) throws IOException {
        call("REPLICAOF", "127.0.0.1", Integer.toString(master.port));
        for (int i = 0; i < 800; i++) {
            if (((String) call("INFO", "replication")).contains("master_link_status:up")) {
                return;
            }
            sleep(25);
        }
        throw new IOException("replication link to " + master.address() + " did not come up");
    }

    void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // temporary directory
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
