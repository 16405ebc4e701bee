package io.kvstore.proxy.session;

import io.kvstore.config.redis.RespClient;
import io.kvstore.config.redis.ServerConfig;
import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.Request;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * CONFIG SET and CONFIG RESETSTAT through the proxy: a redis-server parameter of the allow-list
 * ({@link ServerConfig#ALLOWED}) set on every master and replica of the cluster the way
 * {@code kvstore-admin config set} sets it ({@link BackendParams}), and the stats of every server
 * and of the proxy reset. CONFIG SET needs {@code --allow-config-set}.
 *
 * <p>Threads: {@link #execute} runs on the client's event loop; it answers there what needs no
 * server (arity, the flag, the allow-list), copies the arguments out of the request and hands the
 * blocking work (ZooKeeper, one blocking connection per server) to this proxy's single
 * {@code kvstore-config} thread, which completes the client's pending reply back on the client's
 * loop. One thread: the sets of this proxy's clients run one at a time, in the order they came.
 * It ends itself when idle, so the class needs no close.
 */
final class ConfigSetCommand {

    /** Where the allow-list is documented, for the error that refuses a parameter. */
    static final String ALLOW_LIST_DOC = "doc/zookeeper-layout.md, backend-config";

    private final ProxyContext proxy;
    private final ThreadPoolExecutor worker = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "kvstore-config");
        t.setDaemon(true);
        return t;
    });

    ConfigSetCommand(ProxyContext proxy) {
        this.proxy = proxy;
        worker.allowCoreThreadTimeOut(true);
    }

    /** Completes {@code pending}, at once or later on the client's loop. The caller releases {@code request}. */
    void execute(ClientSession session, Request request, PendingReply pending, CommandSpec spec) {
        if (spec.name().equals("config|resetstat")) {
            later(session, pending, this::resetStats);
            return;
        }
        int argc = request.argCount();
        if (argc < 4 || argc % 2 != 0) {
            pending.onFailure("ERR wrong number of arguments for 'config|set' command");
            return;
        }
        if (!proxy.allowConfigSet()) {
            pending.onFailure("ERR CONFIG SET is off on this kvstore proxy: start it with --allow-config-set to set "
                    + "redis-server parameters on every server of the cluster (doc/operations.md)");
            return;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 2; i < argc; i += 2) {
            String name = request.argString(i);
            String param;
            try {
                param = ServerConfig.checkAllowed(name);
            } catch (IllegalArgumentException notListed) {
                pending.onFailure("ERR " + notListed.getMessage() + " (see " + ALLOW_LIST_DOC + ")");
                return;
            }
            if (params.putIfAbsent(param, request.argString(i + 1)) != null) {
                pending.onFailure("ERR CONFIG SET failed (possibly related to argument '" + name + "') - duplicate parameter");
                return;
            }
        }
        later(session, pending, () -> set(params));
    }

    /**
     * Sets each parameter in turn; null when every server took every one, else the error. A value
     * Redis refuses is answered in Redis's words (as the first server answered them); the
     * parameters before it in the same command stay set.
     */
    private String set(Map<String, String> params) {
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, String> e : params.entrySet()) {
            try {
                failures.addAll(proxy.backendParams().set(e.getKey(), e.getValue()).failures());
            } catch (IllegalArgumentException refused) {
                return refused.getCause() instanceof RespClient.RedisError redis ? redis.getMessage() : "ERR " + refused.getMessage();
            }
        }
        return failures.isEmpty() ? null : "ERR set, but these servers did not take it (they get it when the failover "
                + "controller sees them up again; kvstore-admin status shows them meanwhile): " + String.join("; ", failures);
    }

    /** The proxy's counters, then every server's; null when every server took it, else the error. */
    private String resetStats() {
        proxy.resetStats();
        List<String> failures = proxy.backendParams().resetStats();
        return failures.isEmpty() ? null : "ERR stats not reset on: " + String.join("; ", failures);
    }

    /** Runs {@code work} on the config thread; its answer (null: +OK, else the error) completes {@code pending} on the client's loop. */
    private void later(ClientSession session, PendingReply pending, Supplier<String> work) {
        worker.execute(() -> {
            String error;
            try {
                error = work.get();
            } catch (RuntimeException e) { // ZooKeeper unreachable, no server answered, no cluster
                error = "ERR " + e.getMessage();
            }
            String answer = error;
            try {
                session.runOnLoop(() -> pending.onReply(answer == null ? Replies.ok() : Replies.error(session.alloc(), answer)));
            } catch (RejectedExecutionException stopping) {
                // the proxy is stopping: the loop, and the client with it, are gone
            }
        });
    }
}
