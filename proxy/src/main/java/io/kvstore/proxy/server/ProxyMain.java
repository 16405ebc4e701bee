package io.kvstore.proxy.server;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotMap;
import io.kvstore.config.store.ZkSettings;
import io.kvstore.proxy.backend.BackendOptions;
import io.kvstore.proxy.control.ProxyControl;
import io.kvstore.proxy.control.UserWatcher;
import io.kvstore.proxy.failover.FailoverSteps;
import io.kvstore.proxy.health.HealthOptions;
import io.kvstore.proxy.route.ClusterState;
import io.kvstore.proxy.session.BackendParams;
import io.kvstore.proxy.session.MultiKeyScope;
import io.kvstore.proxy.tls.BackendSsl;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/kvstore-proxy}: parses options (command line, then {@code KVSTORE_*} environment,
 * then the YAML file, then defaults), starts a {@link ProxyServer} and runs until stopped.
 *
 * <p>Two modes: static ({@code --backends}: a fixed slot map spread over the servers given) and
 * ZooKeeper ({@code --zk --cluster}: the cluster's topology is loaded from ZooKeeper, the proxy
 * registers itself and applies every change live; see {@link ProxyControl}).
 */
@Command(name = "kvstore-proxy", mixinStandardHelpOptions = true, versionProvider = ProxyMain.Version.class,
        description = "Multi-threaded sharding proxy for Redis.",
        footer = {"", "Every option can also be set as an environment variable (--max-clients: KVSTORE_MAX_CLIENTS)",
                "or as a key of the YAML file given with --config (max-clients: 100)."})
public final class ProxyMain implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file with any of these options as keys.")
    String config;

    @Option(names = "--listen", defaultValue = "127.0.0.1:7000", paramLabel = "HOST:PORT",
            description = "Address for clients (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--backends", paramLabel = "H:P,H:P,...",
            description = "Static mode: redis-servers; the 16384 slots are split evenly over them in this order.")
    String backends;

    @Option(names = "--zk", paramLabel = "H:P[,H:P...]",
            description = "ZooKeeper mode: the ZooKeeper servers holding the cluster (with --cluster); instead of --backends.")
    String zk;

    @Option(names = "--cluster", paramLabel = "NAME", description = "ZooKeeper mode: the cluster this proxy serves.")
    String cluster;

    @Option(names = "--rewrite-rule", paramLabel = "PATTERN[=GEN]",
            description = {"Static mode: a key rewrite rule (repeatable; GEN default: the rule's position). With --zk the",
                    "rules are in ZooKeeper (kvstore-admin rewrite). See doc/operations.md, Forgetting a key pattern."})
    List<String> rewriteRules;

    @Option(names = "--announce", paramLabel = "HOST:PORT",
            description = "ZooKeeper mode: the address clients use to reach this proxy, as registered "
                    + "(default: --listen, with a wildcard host replaced by this machine's name).")
    String announce;

    @CommandLine.Mixin
    EventLoopOptions eventLoop;

    @Option(names = "--transport", defaultValue = "auto", description = "I/O transport: auto, epoll, io_uring, kqueue or nio (default: ${DEFAULT-VALUE}: epoll on Linux, "
            + "kqueue on macOS, else nio). io_uring needs Linux 5.14+ and a seccomp profile that allows it; named but not allowed, the proxy refuses to start.")
    String transport;

    @Option(names = "--password", description = "Password clients must AUTH with (default: none): the default user's password.")
    String password;

    @CommandLine.Mixin
    AccessOptions access;

    @CommandLine.Mixin
    ZkOptions zkSession;

    @CommandLine.Mixin
    ZkTlsOptions zkTls;

    @CommandLine.Mixin
    BackendAuthOptions backendLogin;

    @CommandLine.Mixin
    LimitOptions limits;

    @CommandLine.Mixin
    FailoverOptions failover;

    @Option(names = "--backend-connections", defaultValue = "1",
            description = "Pipelined connections per worker thread per redis-server (default: ${DEFAULT-VALUE}).")
    int backendConnections;

    @Option(names = "--connect-timeout-ms", defaultValue = "1000", description = "Backend connect timeout (default: ${DEFAULT-VALUE}).")
    int connectTimeoutMs;

    @Option(names = "--backend-stall-ms", defaultValue = "10000",
            description = "A backend connection with requests pending and no reply for this long is closed and its requests "
                    + "fail (a hung or paused redis-server); 0 = never (default: ${DEFAULT-VALUE}).")
    int backendStallMs;

    @Option(names = "--backend-via", split = ",", paramLabel = "SERVER=VIA",
            description = "Reach redis-server SERVER (HOST:PORT as the topology names it) by connecting to VIA (a relay, "
                    + "a tunnel), for requests and health checks; repeatable or comma-separated (chaos.sh's network faults).")
    List<String> backendVia = new ArrayList<>();

    @Option(names = "--write-acks", defaultValue = "0",
            description = "Replicas each write must reach (WAIT) before the client gets its reply; 0 = no wait (default: ${DEFAULT-VALUE}).")
    int writeAcks;

    @Option(names = "--write-acks-timeout-ms", defaultValue = "1000",
            description = "How long a write waits for --write-acks replicas before it fails with -NOREPLICAS (default: ${DEFAULT-VALUE}).")
    long writeAcksTimeoutMs;

    @Option(names = "--latency-tracking", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Time every command for INFO commandstats/latencystats, SLOWLOG and the metrics "
                    + "(default: on; --no-latency-tracking to measure what it costs).")
    boolean latencyTracking;

    @Option(names = "--slowlog-slower-than-us", defaultValue = "10000",
            description = "SLOWLOG keeps commands whose time in the proxy reached this many microseconds; negative: none, 0: all (default: ${DEFAULT-VALUE}).")
    long slowlogSlowerThanUs;

    @Option(names = "--slowlog-max-len", defaultValue = "128", description = "Entries SLOWLOG keeps (default: ${DEFAULT-VALUE}).")
    int slowlogMaxLen;

    @CommandLine.Mixin
    ObservabilityOptions observability;

    @Option(names = "--metrics-listen", paramLabel = "HOST:PORT",
            description = "Serve Prometheus metrics (/metrics), /health and /ready over HTTP here (default: off).")
    String metricsListen;

    @Option(names = "--multi-key-scope", defaultValue = "slot", paramLabel = "slot|group",
            description = "Keys one multi-key command or transaction may combine: slot (all in one slot, as Redis Cluster; "
                    + "true whatever the layout) or group (all on one group: depends on where slots sit) (default: ${DEFAULT-VALUE}).")
    String multiKeyScope;

    @Option(names = "--allow-config-set", defaultValue = "false",
            description = "Let clients CONFIG SET the redis-server parameters of doc/zookeeper-layout.md (backend-config) on every "
                    + "master and replica of the cluster, recorded in ZooKeeper as kvstore-admin config set does (default: off).")
    boolean allowConfigSet;

    @CommandLine.Mixin
    TlsListenerOptions tlsListener;

    /** Whom the failover controller tells after each step of a failover: nobody, but in tests ({@link #run}). */
    private FailoverSteps failoverSteps = FailoverSteps.NONE;

    /** The command line, parsed again on SIGHUP ({@link AccessReload}). */
    private String[] args = {};

    public static void main(String[] args) {
        run(args, FailoverSteps.NONE);
    }

    /**
     * Runs the proxy with {@code args} as {@link #main} does, its failover controller telling
     * {@code steps} after each step of a failover: a test runs a proxy in a JVM of its own that
     * stops in the middle of a failover, to be killed there.
     */
    public static void run(String[] args, FailoverSteps steps) {
        ProxyMain main = new ProxyMain();
        main.failoverSteps = steps;
        main.args = args.clone();
        CommandLine cli = null;
        try {
            cli = commandLine(main, args);
        } catch (IllegalArgumentException | java.io.UncheckedIOException | CommandLine.ParameterException e) {
            System.err.println("kvstore-proxy: " + e.getMessage());
            System.exit(2);
        }
        int code = cli.execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * The command line of {@code main}, its defaults from the environment and the {@code --config}
     * file {@code args} name: the one set-up of start-up and of the SIGHUP re-read ({@link AccessReload}),
     * so both read the options alike.
     */
    static CommandLine commandLine(ProxyMain main, String[] args) {
        CommandLine cli = new CommandLine(main);
        cli.setDefaultValueProvider(new EnvAndFileDefaults(cli.getCommandSpec(), args));
        return cli;
    }

    @Override
    public Integer call() throws Exception {
        boolean zkMode = zk != null && !zk.isBlank();
        boolean staticMode = backends != null && !backends.isBlank();
        if (zkMode == staticMode) {
            System.err.println("kvstore-proxy: give either --backends H:P,... (static mode) or --zk H:P --cluster NAME"
                    + " (ZooKeeper mode)" + (zkMode ? ", not both" : ""));
            return 2;
        }
        if (zkMode && (cluster == null || cluster.isBlank())) {
            System.err.println("kvstore-proxy: --zk needs --cluster NAME, the cluster this proxy serves");
            return 2;
        }
        ProxyOptions options;
        try {
            options = options();
            observability.check();
            io.kvstore.proxy.rewrite.StaticRules.check(zkMode, rewriteRules);
            access.check(zkMode);
            zkTls.value(); // a missing TLS file stops the proxy here
            options = options.withUsers(access.staticUsers());
            io.kvstore.proxy.acl.Users users = io.kvstore.proxy.acl.Users.of(options.users(), password,
                    io.kvstore.proxy.command.CommandTable.load()); // bad rules stop the proxy here
            if (access.protectedMode() && !zkMode) { // ZooKeeper mode: checked once its users are read
                AccessOptions.checkProtected(options, users);
            }
            if (backendAuth().tls() != null) {
                BackendSsl.context(backendAuth().tls()); // loads the files now: a bad one stops the proxy here
            }
            Transport.choose(transport); // an unknown name, or one this host cannot use, stops the proxy here
        } catch (IllegalArgumentException e) {
            System.err.println("kvstore-proxy: " + e.getMessage());
            return 2;
        }
        return zkMode ? runWithZooKeeper(options) : runStatic(options);
    }

    private int runStatic(ProxyOptions options) throws InterruptedException, java.io.IOException {
        ClusterState state = new ClusterState(staticMap());
        state.rewrite(io.kvstore.proxy.rewrite.StaticRules.parse(rewriteRules)); // checked in call()
        ProxyServer server = ProxyServer.start(options, state);
        configure(server);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "kvstore-shutdown"));
        stopped.await();
        return 0;
    }

    /**
     * ZooKeeper mode: waits for the cluster's slot map (saying why while it cannot get it), then
     * serves, registers and follows changes until stopped.
     */
    private int runWithZooKeeper(ProxyOptions options) throws InterruptedException, java.io.IOException {
        ProxyControl control = ProxyControl.start(zkSettings(), cluster, backendAuth());
        AtomicReference<ProxyServer> running = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Stop serving first, then leave ZooKeeper: a step that starts once this proxy is no
            // longer registered must find nothing still being served by it.
            ProxyServer s = running.get();
            if (s != null) {
                s.close();
            } else {
                main.interrupt();
            }
            control.close();
            stopped.countDown();
        }, "kvstore-shutdown"));
        SlotMap initial;
        try {
            initial = control.awaitInitialMap();
        } catch (InterruptedException e) {
            return 0; // stopped before a map ever came
        }
        // Keys are refused until this proxy is registered and has re-read the topology: a migration
        // step that starts before its registration exists would not wait for it.
        ClusterState state = new ClusterState(initial);
        state.fence("kvstore proxy is starting: not registered in ZooKeeper yet; retry in a moment");
        List<String> users = UserWatcher.read(control.store().client(), cluster); // in force before the first client
        if (access.protectedMode()) {
            try {
                AccessOptions.checkProtected(options, io.kvstore.proxy.acl.Users.failClosed(users, password,
                        io.kvstore.proxy.command.CommandTable.load(), problem -> { }));
            } catch (IllegalArgumentException e) {
                System.err.println("kvstore-proxy: " + e.getMessage());
                control.close();
                return 2;
            }
        }
        ProxyServer server = ProxyServer.start(options.withUsers(users), state);
        UserWatcher userWatcher = new UserWatcher(control.store().client(), cluster, users, password,
                server.context().commands(), server.context().access()::users);
        userWatcher.start();
        configure(server);
        running.set(server);
        server.context().extraInfo(control.status()::infoLines);
        server.context().backendParams(BackendParams.recorded(control.store(), cluster, backendAuth()));
        control.attach(server.context().cluster(), announceAddress(server.port()), new Version().getVersion()[0], server::mapChanged,
                healthOptions(), BackendVia.prober(backendVia, backendAuth(), healthOptions().timeoutMs()),
                failoverSteps);
        stopped.await();
        return 0;
    }

    /** What is set on a started server before clients come: durability, statistics, the metrics endpoint. */
    private void configure(ProxyServer server) throws java.io.IOException {
        Hangup.onSignal(() -> {
            server.reloadTls();
            AccessReload.reload(args, server.context());
        });
        server.idleTimeout(access.timeout);
        access.apply(server.context());
        server.context().writeAcks(writeAcks, writeAcksTimeoutMs);
        server.context().stats().enabled(latencyTracking);
        server.context().stats().slowLog().configure(slowlogSlowerThanUs, slowlogMaxLen);
        observability.apply(server.context());
        if (metricsListen != null && !metricsListen.isBlank()) {
            io.kvstore.proxy.metrics.MetricsServer.start(HostPort.parse(metricsListen), server.context()); // a daemon thread
        }
    }

    ZkSettings zkSettings() {
        return zkSession.settings(zk, zkTls.value());
    }

    HealthOptions healthOptions() {
        return failover.value();
    }

    BackendAuth backendAuth() {
        return backendLogin.value();
    }

    /** The address registered in ZooKeeper: --announce, else --listen with its real port and a usable host. */
    HostPort announceAddress(int boundPort) {
        if (announce != null && !announce.isBlank()) {
            return HostPort.parse(announce);
        }
        String host = listen.substring(0, listen.lastIndexOf(':')).replace("[", "").replace("]", "");
        if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "127.0.0.1";
            }
        }
        return new HostPort(host, boundPort);
    }

    ProxyOptions options() {
        BackendOptions backend = new BackendOptions(backendConnections, connectTimeoutMs,
                BackendOptions.DEFAULTS.minBackoffMillis(), BackendOptions.DEFAULTS.maxBackoffMillis(), backendStallMs)
                .dialing(BackendVia.parse(backendVia)).maxReply(limits.maxBulkLength);
        return new ProxyOptions(HostPort.parse(listen), eventLoop.threads(), transport, limits.value(), backend, password,
                MultiKeyScope.parse(multiKeyScope), allowConfigSet, tlsListener.options())
                .withBusyPollMicros(eventLoop.busyPollUs);
    }

    /** Static mode: group i is backend i, slots spread evenly in the order given. */
    SlotMap staticMap() {
        BackendAuth auth = backendAuth();
        List<Group> groups = new ArrayList<>();
        List<HostPort> addresses = HostPort.parseList(backends);
        for (int i = 0; i < addresses.size(); i++) {
            groups.add(new Group("g" + i, addresses.get(i), List.of(), auth));
        }
        return SlotMap.evenlySpread(1, groups);
    }

    /** Reports the version of the jar, as packaged by build.sh. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ProxyMain.class.getPackage().getImplementationVersion();
            return new String[] {"kvstore-proxy " + (v == null ? "dev" : v)};
        }
    }
}
