package io.kvstore.proxy.health;

import io.kvstore.config.HostPort;
import io.kvstore.testing.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;

/**
 * A real redis-server for failover tests, on {@link RedisServer} (which owns the process, its
 * port and its directory): on a fixed 127.0.0.1 port for its whole life (so it can be killed and
 * started again where the topology names it), optionally with AOF, killed for real
 * ({@code kill -9}), paused ({@code kill -STOP}) and resumed ({@code kill -CONT}); what this adds
 * is the replication view a failover test asks about. One controlling thread.
 */
final class RedisNode implements AutoCloseable {

    private final RedisServer server;
    private boolean stopped;

    private RedisNode(RedisServer server) {
        this.server = server;
    }

    /** A new server on a free port; with {@code aof}, appendonly yes (appendfsync everysec), as a data-store cluster runs. */
    static RedisNode start(boolean aof) {
        return new RedisNode(aof ? RedisServer.startWithAof() : RedisServer.start());
    }

    HostPort address() {
        return new HostPort(server.host(), server.port());
    }

    int port() {
        return server.port();
    }

    Jedis client() {
        return new Jedis(server.host(), server.port(), DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(2_000).socketTimeoutMillis(5_000).build());
    }

    /** REPLICAOF {@code master}, and waits (bounded) until the link is up. */
    void follow(RedisNode master) {
        try (Jedis j = client()) {
            j.replicaof(master.server.host(), master.server.port());
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
        return server.isRunning();
    }

    /** {@code kill -9}: dies at once, as in a crash (a paused server too: SIGKILL needs no CONT). */
    void kill() {
        server.kill();
        stopped = false;
    }

    /** {@code kill -STOP}: frozen, its sockets stay open and unanswered. */
    void pause() {
        signal(server.pid(), "STOP");
        stopped = true;
    }

    /** {@code kill -CONT}. */
    void resume() {
        signal(server.pid(), "CONT");
        stopped = false;
    }

    /** Starts it again on the same port and directory (AOF: with its data; else empty), as a master. */
    void restart() {
        kill();
        server.restart();
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
        if (stopped) {
            resume(); // SIGTERM would wait on a frozen server
        }
        server.close();
    }

    @Override
    public String toString() {
        return server.toString();
    }
}
