package io.kvstore.proxy.server;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.backend.BackendOptions;
import io.kvstore.proxy.resp.FramerLimits;
import io.kvstore.proxy.session.ClientLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/kvstore-proxy}: parses options (command line, then {@code KVSTORE_*} environment,
 * then the YAML file, then defaults), starts a {@link ProxyServer} and runs until stopped.
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

    @Option(names = "--threads", defaultValue = "0", description = "Worker event loops (default: one per core).")
    int threads;

    @Option(names = "--transport", defaultValue = "auto", description = "auto, epoll, kqueue or nio (default: ${DEFAULT-VALUE}).")
    String transport;

    @Option(names = "--password", description = "Password clients must AUTH with (default: none).")
    String password;

    @Option(names = "--backend-user", description = "ACL user for AUTH to the redis-servers.")
    String backendUser;

    @Option(names = "--backend-password", description = "Password for AUTH to the redis-servers.")
    String backendPassword;

    @Option(names = "--backend-db", defaultValue = "0", description = "Database selected on the redis-servers (default: ${DEFAULT-VALUE}).")
    int backendDb;

    @Option(names = "--backend-connections", defaultValue = "1",
            description = "Pipelined connections per worker thread per redis-server (default: ${DEFAULT-VALUE}).")
    int backendConnections;

    @Option(names = "--connect-timeout-ms", defaultValue = "1000", description = "Backend connect timeout (default: ${DEFAULT-VALUE}).")
    int connectTimeoutMs;

    @Option(names = "--max-bulk-length", defaultValue = "536870912", description = "Largest argument in bytes (default: ${DEFAULT-VALUE}).")
    long maxBulkLength;

    @Option(names = "--max-multibulk-length", defaultValue = "1048576", description = "Most arguments per command (default: ${DEFAULT-VALUE}).")
    int maxMultibulkLength;

    @Option(names = "--max-inline-length", defaultValue = "65536", description = "Longest inline command (default: ${DEFAULT-VALUE}).")
    int maxInlineLength;

    @Option(names = "--max-pending", defaultValue = "4096",
            description = "Requests per client in flight before the proxy stops reading it (default: ${DEFAULT-VALUE}).")
    int maxPending;

    @Option(names = "--max-clients", defaultValue = "10000", description = "Client connections at once (default: ${DEFAULT-VALUE}).")
    int maxClients;

    @Option(names = "--max-output-buffer", defaultValue = "536870912",
            description = "Unread reply bytes after which a client is disconnected (default: ${DEFAULT-VALUE}).")
    long maxOutputBuffer;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new ProxyMain());
        cli.setDefaultValueProvider(new EnvAndFileDefaults(cli.getCommandSpec(), args));
        int code = cli.execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (backends == null || backends.isBlank()) {
            System.err.println("kvstore-proxy: --backends H:P,... is required (ZooKeeper mode comes with --zk)");
            return 2;
        }
        ProxyOptions options = options();
        ProxyServer server = ProxyServer.start(options, staticMap());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "kvstore-shutdown"));
        stopped.await();
        return 0;
    }

    ProxyOptions options() {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        ClientLimits limits = new ClientLimits(new FramerLimits(maxBulkLength, maxMultibulkLength, maxInlineLength),
                maxPending, maxClients, maxOutputBuffer);
        BackendOptions backend = new BackendOptions(backendConnections, connectTimeoutMs,
                BackendOptions.DEFAULTS.minBackoffMillis(), BackendOptions.DEFAULTS.maxBackoffMillis());
        return new ProxyOptions(HostPort.parse(listen), n, transport, limits, backend, password);
    }

    /** Static mode: group i is backend i, slots spread evenly in the order given. */
    SlotMap staticMap() {
        BackendAuth auth = new BackendAuth(backendUser, backendPassword, backendDb);
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
