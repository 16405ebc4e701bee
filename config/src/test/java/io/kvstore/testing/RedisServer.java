package io.kvstore.testing;

import io.kvstore.config.BackendTls;
import io.kvstore.config.HostPort;
import io.kvstore.config.redis.RespClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;

/**
 * A real {@code redis-server} process on a free 127.0.0.1 port, with its own temporary
 * directory, no persistence and DEBUG enabled (for {@code DEBUG SLEEP} in tests). For
 * integration tests only; one controlling thread. The one redis-server fixture of the build:
 * config's test-jar publishes it to the tests of proxy, admin and e2e.
 *
 * <p>Every process started here is also registered with a JVM shutdown hook that SIGKILLs it,
 * so a test run that dies half-way leaves no redis-server behind. {@link #close()} stops the
 * process and removes the directory.
 *
 * <p>Running the shards in Docker (Testcontainers, when {@code KVSTORE_TEST_DOCKER=1}) is not
 * implemented: Testcontainers is not a dependency and the build machines have no Docker. The
 * binary is taken from {@code KVSTORE_REDIS_SERVER} or else {@code redis-server} on the PATH.
 *
 * <p>Two ways to own one: {@link #start()} starts it at once and the caller closes it;
 * {@link #perClass()} is a JUnit extension for a test class to share, as
 * {@code @RegisterExtension static final RedisServer plain = RedisServer.perClass();}: the
 * extension starts it before the class's {@code @BeforeAll} methods and closes it after its
 * {@code @AfterAll} methods.
 */
public final class RedisServer implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    private static final String HOST = "127.0.0.1";
    private static final int START_ATTEMPTS = 8;
    private static final long READY_TIMEOUT_MILLIS = 15_000;
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "redis-server-reaper"));
    }

    private final TestCertificates tls; // null: plain TCP
    private final boolean aof;
    private Path dir;
    private int port;
    private Process process;

    private RedisServer() {
        this(null, false);
    }

    private RedisServer(TestCertificates tls, boolean aof) {
        this.tls = tls;
        this.aof = aof;
    }

    /**
     * Starts a redis-server that speaks only TLS ({@code --port 0 --tls-port P}) with the server
     * certificate of {@code certs} and {@code tls-auth-clients yes}: clients present the client
     * certificate of {@code certs}, as {@link #client()} does.
     */
    public static RedisServer startTls(TestCertificates certs) {
        RedisServer server = new RedisServer(certs, false);
        server.launchOnAFreePort();
        return server;
    }

    /** Starts a redis-server on a free port; retries on another port when it loses a bind race. */
    public static RedisServer start() {
        RedisServer server = new RedisServer();
        server.launchOnAFreePort();
        return server;
    }

    /**
     * Starts a redis-server with {@code appendonly yes} (fsync every second), as a data-store
     * cluster runs: {@link #kill()} then {@link #restart()} brings its data back.
     */
    public static RedisServer startWithAof() {
        RedisServer server = new RedisServer(null, true);
        server.launchOnAFreePort();
        return server;
    }

    /**
     * A redis-server not started yet: to be registered as a static {@code @RegisterExtension}
     * field, which starts it before the test class's {@code @BeforeAll} methods and closes it
     * after its {@code @AfterAll} methods.
     */
    public static RedisServer perClass() {
        return new RedisServer();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        launchOnAFreePort();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private void launchOnAFreePort() {
        if (dir != null) {
            throw new IllegalStateException("the server is already started");
        }
        Path tmp;
        try {
            tmp = Files.createTempDirectory("kvstore-it-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        IllegalStateException last = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            int free = freePort();
            try {
                process = launch(tmp, free, tls, aof);
                dir = tmp;
                port = free;
                return;
            } catch (IllegalStateException e) {
                last = e; // most likely the port was taken between probing and binding
            }
        }
        deleteTree(tmp);
        throw new IllegalStateException("could not start redis-server after " + START_ATTEMPTS + " attempts", last);
    }

    public int port() {
        return port;
    }

    public String host() {
        return HOST;
    }

    public String address() {
        return HOST + ":" + port;
    }

    /** {@link #address()} as the cluster model's value, for code under test that takes one. */
    public HostPort hostPort() {
        return new HostPort(HOST, port);
    }

    /** The operating-system process id, for signals such as SIGSTOP. */
    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** A new client connected straight to this server (bypassing the proxy); the caller closes it. */
    public Jedis client() {
        return client(port, tls, 5_000, 30_000);
    }

    private static Jedis client(int port, TestCertificates tls, int connectMillis, int readMillis) {
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(connectMillis).socketTimeoutMillis(readMillis);
        if (tls != null) {
            b.ssl(true).sslSocketFactory(new BackendTls(tls.ca(), tls.clientCert(), tls.clientKey()).socketFactory());
        }
        return new Jedis(HOST, port, b.build());
    }

    /**
     * Runs one command straight on the server with config's {@link RespClient} (plain TCP only)
     * and returns its decoded reply: for tests of code that has no Jedis on its classpath.
     */
    public Object call(String... words) {
        try (RespClient c = RespClient.connect(hostPort(), 5_000)) {
            return c.call(words);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes this server a replica of {@code master} and waits (bounded) for the link to come up. */
    public void replicate(RedisServer master) {
        call("REPLICAOF", HOST, Integer.toString(master.port));
        Await.until("the replication link of " + this + " to " + master, Duration.ofSeconds(20),
                () -> ((String) call("INFO", "replication")).contains("master_link_status:up"));
    }

    /** Removes all keys, straight on the server. */
    public void flushAll() {
        try (Jedis j = client()) {
            j.flushAll();
        }
    }

    public long dbSize() {
        try (Jedis j = client()) {
            return j.dbSize();
        }
    }

    /** SIGKILL: the server dies at once, as in a crash; its connections are reset. */
    public void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroyForcibly(); // SIGKILL on Unix
        awaitExit(p);
        LIVE.remove(p);
        process = null;
    }

    /** SIGTERM, then SIGKILL if it has not exited in a bounded time. */
    public void stop() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        awaitExit(p);
        LIVE.remove(p);
        process = null;
    }

    /**
     * Starts the server again on the same port and directory (empty, or with its AOF data); stops
     * it first if it runs (after {@link #kill()}: a restart after a crash).
     */
    public void restart() {
        stop();
        IllegalStateException last = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            try {
                process = launch(dir, port, tls, aof);
                return;
            } catch (IllegalStateException e) {
                last = e;
                Await.sleep(250); // the old socket may linger for a moment
            }
        }
        throw new IllegalStateException("could not restart redis-server on port " + port, last);
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    @Override
    public String toString() {
        return "redis-server " + address();
    }

    private static Process launch(Path dir, int port, TestCertificates tls, boolean aof) {
        String binary = System.getenv().getOrDefault("KVSTORE_REDIS_SERVER", "redis-server");
        List<String> cmd = new ArrayList<>(List.of(binary));
        if (tls == null) {
            cmd.addAll(List.of("--port", Integer.toString(port)));
        } else {
            cmd.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port), "--tls-cert-file", tls.serverCert(),
                    "--tls-key-file", tls.serverKey(), "--tls-ca-cert-file", tls.ca(), "--tls-auth-clients", "yes"));
        }
        cmd.addAll(List.of(
                "--bind", HOST,
                "--save", "",
                "--appendonly", aof ? "yes" : "no",
                "--appendfsync", "everysec",
                "--daemonize", "no",
                "--dir", dir.toString(),
                "--enable-debug-command", "yes",
                "--loglevel", "notice"));
        Path log = dir.resolve("redis-" + port + ".log");
        Process p;
        try {
            p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + binary + " (is redis-server installed?)", e);
        }
        LIVE.add(p);
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (!p.isAlive()) {
                LIVE.remove(p);
                throw new IllegalStateException("redis-server on port " + port + " exited with " + p.exitValue()
                        + ": " + tail(log));
            }
            if (answersPing(port, tls)) {
                return p;
            }
            Await.sleep(20);
        }
        p.destroyForcibly();
        awaitExit(p);
        LIVE.remove(p);
        throw new IllegalStateException("redis-server on port " + port + " did not answer PING: " + tail(log));
    }

    private static boolean answersPing(int port, TestCertificates tls) {
        try (Jedis j = client(port, tls, 500, 1_000)) {
            return "PONG".equals(j.ping());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * A port nobody listens on right now: here the caller may lose it to a race, hence the
     * retries; a test may use one as an address where nothing answers.
     */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitExit(Process p) {
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort: it is a temporary directory
        }
    }
}
