package io.kvstore.proxy.health;

import io.kvstore.config.HostPort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;

/**
 * A real redis-server for failover tests: on a fixed 127.0.0.1 port for its whole life (so it can
 * be killed and started again where the topology names it), optionally with AOF, killed for real
 * ({@code kill -9}), paused ({@code kill -STOP}) and resumed ({@code kill -CONT}). A JVM shutdown
 * hook SIGKILLs whatever is left. One controlling thread.
 */
final class RedisNode implements AutoCloseable {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(p -> {
            signal(p.pid(), "CONT");
            p.destroyForcibly();
        }), "redis-node-reaper"));
    }

    private final Path dir;
    private final int port;
    private final boolean aof;
    private Process process;
    private boolean stopped;

    private RedisNode(Path dir, int port, boolean aof) {
        this.dir = dir;
        this.port = port;
        this.aof = aof;
    }

    /** A new server on a free port; with {@code aof}, appendonly yes (appendfsync everysec), as a data-store cluster runs. */
    static RedisNode start(boolean aof) {
        Path dir;
        try {
            dir = Files.createTempDirectory("kvstore-failover-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 8; attempt++) {
            RedisNode n = new RedisNode(dir, freePort(), aof);
            try {
                n.launch();
                return n;
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        deleteTree(dir);
        throw new IllegalStateException("could not start redis-server", last);
    }

    HostPort address() {
        return new HostPort("127.0.0.1", port);
    }

    int port() {
        return port;
    }

    Jedis client() {
        return new Jedis("127.0.0.1", port, DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(2_000).socketTimeoutMillis(5_000).build());
    }

    /** REPLICAOF {@code master}, and waits (bounded) until the link is up. */
    void follow(RedisNode master) {
        try (Jedis j = client()) {
            j.replicaof("127.0.0.1", master.port);
        }
        FailoverFixture.await(this + " to sync with " + master, () -> linkUp());
    }

    boolean linkUp() {
        try (Jedis j = client()) {
            return j.info("replication").contains("master_link_status:up");
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** "master" or "slave", or null when it does not answer. */
    String role() {
        try (Jedis j = client()) {
            String info = j.info("replication");
            return info.contains("role:master") ? "master" : "slave";
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The master it follows ({@code host:port}), or null. */
    String masterOf() {
        try (Jedis j = client()) {
            String info = j.info("replication");
            String host = null;
            String port = null;
            for (String line : info.split("\r\n")) {
                if (line.startsWith("master_host:")) {
                    host = line.substring(12);
                } else if (line.startsWith("master_port:")) {
                    port = line.substring(12);
                }
            }
            return host == null ? null : host + ":" + port;
        } catch (RuntimeException e) {
            return null;
        }
    }

    boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** {@code kill -9}: dies at once, as in a crash. */
    void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        if (stopped) {
            signal(p.pid(), "CONT");
            stopped = false;
        }
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(p);
        process = null;
    }

    /** {@code kill -STOP}: frozen, its sockets stay open and unanswered. */
    void pause() {
        signal(process.pid(), "STOP");
        stopped = true;
    }

    /** {@code kill -CONT}. */
    void resume() {
        signal(process.pid(), "CONT");
        stopped = false;
    }

    /** Starts it again on the same port and directory (AOF: with its data; else empty), as a master. */
    void restart() {
        kill();
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                launch();
                return;
            } catch (IllegalStateException e) {
                last = e;
                FailoverFixture.sleep(250);
            }
        }
        throw new IllegalStateException("could not restart " + this, last);
    }

    private void launch() {
        List<String> cmd = new ArrayList<>(List.of(System.getenv().getOrDefault("KVSTORE_REDIS_SERVER", "redis-server"),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", aof ? "yes" : "no", "--appendfsync", "everysec", "--dir", dir.toString(),
                "--daemonize", "no", "--loglevel", "notice"));
        Path log = dir.resolve("redis.log");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run redis-server", e);
        }
        LIVE.add(p);
        for (int i = 0; i < 400; i++) {
            if (!p.isAlive()) {
                LIVE.remove(p);
                throw new IllegalStateException("redis-server on port " + port + " exited");
            }
            try (Jedis j = new Jedis("127.0.0.1", port, DefaultJedisClientConfig.builder()
                    .connectionTimeoutMillis(500).socketTimeoutMillis(1_000).build())) {
                if ("PONG".equals(j.ping())) {
                    process = p;
                    return;
                }
            } catch (RuntimeException e) {
                // not yet (or still loading)
            }
            FailoverFixture.sleep(25);
        }
        p.destroyForcibly();
        LIVE.remove(p);
        throw new IllegalStateException("redis-server on port " + port + " did not answer");
    }

    static void signal(long pid, String sig) {
        try {
            new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        kill();
        deleteTree(dir);
    }

    @Override
    public String toString() {
        return "redis-server 127.0.0.1:" + port;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
