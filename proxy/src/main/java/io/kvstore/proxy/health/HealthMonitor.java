package io.kvstore.proxy.health;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotMap;
import io.kvstore.config.redis.RespClient;
import io.kvstore.config.store.HealthReport;
import io.kvstore.config.store.HealthReport.NodeHealth;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every master and replica of the proxy's current slot map: PING on a dedicated
 * connection per server, every {@code intervalMs}, each bounded by {@code timeoutMs}. Whenever a
 * server goes up or down for this proxy, the whole view is handed to {@code publish} (which
 * writes it to ZooKeeper, {@link HealthPublisher}); nothing is written while nothing changes.
 *
 * <p>Threads: one scheduler thread ticks; the checks themselves run on a small pool of daemon
 * threads, at most one check per server at a time, so a server that hangs (SIGSTOP) delays
 * neither the checks of the others nor the tick. None of this touches an event loop: the map is
 * read through the volatile snapshot the proxy routes by.
 */
public final class HealthMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

    /** One check of one server. Blocking, bounded by its own timeout; called from the check threads. */
    public interface Prober extends AutoCloseable {
        /** Null when {@code address} answered; else why not, for people. */
        String check(HostPort address);

        /** {@code address} left the map: drop what is kept for it. */
        default void forget(HostPort address) {
        }

        @Override
        default void close() {
        }
    }

    private static final class Node {
        final AtomicBoolean busy = new AtomicBoolean();
        volatile NodeHealth health; // null before its first check
    }

    private final Supplier<SlotMap> map;
    private final String proxyId;
    private final HealthOptions options;
    private final Prober prober;
    private final Consumer<HealthReport> publish;
    private final Map<HostPort, Node> nodes = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker;
    private final ExecutorService checks;
    private volatile long epoch;
    private volatile boolean closed;

    public HealthMonitor(Supplier<SlotMap> map, String proxyId, HealthOptions options, Prober prober,
                         Consumer<HealthReport> publish) {
        this.map = map;
        this.proxyId = proxyId;
        this.options = options;
        this.prober = prober;
        this.publish = publish;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "kvstore-health"));
        this.checks = Executors.newCachedThreadPool(r -> daemon(r, "kvstore-health-check"));
    }

    /** The default prober: PING on one kept connection per server. */
    public static Prober pinger(BackendAuth auth, int timeoutMs) {
        return new PingProber(auth, timeoutMs);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public void start() {
        ticker.scheduleWithFixedDelay(this::tick, 0, options.intervalMs(), TimeUnit.MILLISECONDS);
        LOG.info("health checks every {} ms (timeout {} ms) of every master and replica", options.intervalMs(), options.timeoutMs());
    }

    /** The current view, as it would be published. Any thread. */
    public HealthReport view() {
        Map<HostPort, NodeHealth> out = new HashMap<>();
        nodes.forEach((a, n) -> {
            NodeHealth h = n.health;
            if (h != null) {
                out.put(a, h);
            }
        });
        return new HealthReport(proxyId, epoch, System.currentTimeMillis(), out);
    }

    private void tick() {
        try {
            SlotMap m = map.get();
            Set<HostPort> wanted = new LinkedHashSet<>();
            for (Group g : m.groups()) {
                wanted.add(g.master());
                wanted.addAll(g.replicas());
            }
            boolean changed = epoch != m.epoch() && !nodes.isEmpty();
            epoch = m.epoch();
            for (HostPort gone : Set.copyOf(nodes.keySet())) {
                if (!wanted.contains(gone)) {
                    nodes.remove(gone);
                    prober.forget(gone);
                    changed = true;
                }
            }
            if (changed) {
                changed();
            }
            for (HostPort a : wanted) {
                Node n = nodes.computeIfAbsent(a, x -> new Node());
                if (n.busy.compareAndSet(false, true)) {
                    checks.execute(() -> check(a, n));
                }
            }
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.warn("health tick failed: {}", e.toString());
            }
        }
    }

    private void check(HostPort address, Node n) {
        try {
            String error = prober.check(address);
            boolean up = error == null;
            NodeHealth before = n.health;
            if (closed || nodes.get(address) != n) {
                return;
            }
            if (before == null || before.up() != up) {
                n.health = new NodeHealth(up, System.currentTimeMillis(), error);
                if (before != null || !up) {
                    LOG.warn("redis-server {} is {} for this proxy{}", address, up ? "up again" : "DOWN", up ? "" : ": " + error);
                }
                changed();
            }
        } catch (RuntimeException e) {
            LOG.warn("health check of {} failed: {}", address, e.toString());
        } finally {
            n.busy.set(false);
        }
    }

    private synchronized void changed() {
        if (!closed) {
            publish.accept(view());
        }
    }

    @Override
    public void close() {
        closed = true;
        ticker.shutdownNow();
        checks.shutdownNow();
        prober.close();
    }

    /** PING on a kept connection per server; reconnects after any failure. Each server is checked by one thread at a time. */
    private static final class PingProber implements Prober {
        private final BackendAuth auth;
        private final int timeoutMs;
        private final Map<HostPort, RespClient> clients = new ConcurrentHashMap<>();

        PingProber(BackendAuth auth, int timeoutMs) {
            this.auth = auth;
            this.timeoutMs = timeoutMs;
        }

        @Override
        public String check(HostPort address) {
            RespClient c = clients.get(address);
            try {
                if (c == null) {
                    c = RespClient.connect(address, auth, timeoutMs);
                    clients.put(address, c);
                }
                c.call("PING");
                return null;
            } catch (RespClient.RedisError e) {
                // It answered: it is alive, unless it says it cannot serve yet.
                String m = e.getMessage();
                return m.startsWith("LOADING") || m.startsWith("MASTERDOWN") ? m : null;
            } catch (IOException e) {
                drop(address, c);
                String m = e.getMessage();
                if (e instanceof SocketTimeoutException) {
                    m = "no answer within " + timeoutMs + " ms";
                } else if (e instanceof ConnectException) {
                    m = "connection refused";
                }
                return m == null ? e.getClass().getSimpleName() : m;
            }
        }

        private void drop(HostPort address, RespClient c) {
            if (c != null) {
                clients.remove(address, c);
                c.close();
            }
        }

        @Override
        public void forget(HostPort address) {
            drop(address, clients.get(address));
        }

        @Override
        public void close() {
            clients.values().forEach(RespClient::close);
            clients.clear();
        }
    }
}
