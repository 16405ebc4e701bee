package io.kvstore.proxy.session;

import io.kvstore.proxy.command.CommandTable;
import io.kvstore.proxy.route.ClusterState;
import io.kvstore.proxy.stats.ProxyStats;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What all client sessions of one proxy share: the command table, the slot map, limits and
 * counters. Thread-safe: the fields are immutable or atomic, the slot map is swapped whole.
 */
public final class ProxyContext {

    private final CommandTable commands;
    private final ClusterState cluster;
    private final ClientLimits limits;
    private final String password;
    private final long startMillis = System.currentTimeMillis();
    private final AtomicLong clientIds = new AtomicLong();
    private final AtomicInteger connectedClients = new AtomicInteger();
    private final ClientRegistry clients = new ClientRegistry();
    private volatile int writeAcks;
    private volatile long writeAcksTimeoutMillis = 1000;
    private final java.util.Map<String, String> settings;
    private final LongAdder totalCommands = new LongAdder();
    private final ProxyStats stats = new ProxyStats();
    private final HoldStats holds = new HoldStats(stats.latencyMonitor());
    private volatile java.util.function.Supplier<String> extraInfo = () -> "";
    private final MultiKeyScope keyScope;
    /** This process's run id in INFO: 40 hex characters, random per start, as Redis makes its own. */
    private final String runId = String.format("%040x", new java.math.BigInteger(160, new java.security.SecureRandom()));
    private volatile int port;
    private final ServerVersions versions = new ServerVersions();
    private volatile boolean allowConfigSet;
    private volatile BackendParams backendParams;
    private final AccessControl access;
    private final io.kvstore.proxy.loop.InFlightBudgets inFlight;

    public ProxyContext(CommandTable commands, ClusterState cluster, ClientLimits limits, String password,
                        java.util.Map<String, String> settings, MultiKeyScope keyScope) {
        this.keyScope = keyScope;
        this.settings = java.util.Map.copyOf(settings);
        this.commands = commands;
        this.cluster = cluster;
        this.limits = limits;
        this.inFlight = new io.kvstore.proxy.loop.InFlightBudgets(limits.maxInFlight());
        this.password = password == null || password.isEmpty() ? null : password;
        this.backendParams = BackendParams.direct(cluster::map);
        this.access = new AccessControl(clients, io.kvstore.proxy.acl.Users.of(java.util.List.of(), this.password, commands));
    }

    /** The users clients authenticate as, and the counters of refused access. */
    public AccessControl access() {
        return access;
    }

    /** {@code --allow-config-set}: whether clients may CONFIG SET redis-server parameters cluster-wide. */
    public boolean allowConfigSet() {
        return allowConfigSet;
    }

    /** Sets {@code --allow-config-set}; called once at start-up, before clients connect. */
    public void allowConfigSet(boolean allow) {
        this.allowConfigSet = allow;
    }

    /** Where CONFIG SET and CONFIG RESETSTAT go: the servers of the slot map unless {@link #backendParams(BackendParams)} said otherwise. */
    public BackendParams backendParams() {
        return backendParams;
    }

    /** ZooKeeper mode: sets are recorded in the cluster's {@code backend-config}; called once at start-up. */
    public void backendParams(BackendParams params) {
        this.backendParams = params;
    }

    /**
     * CONFIG RESETSTAT's part in the proxy: zeroes the counters INFO shows. The one place a reset
     * goes: a new counter (latency histograms, command stats) resets here too.
     */
    public void resetStats() {
        totalCommands.reset();
        holds.reset();
        stats.reset();
    }

    public CommandTable commands() {
        return commands;
    }

    /** {@code --write-acks}: replicas each write must reach before it is acknowledged (0: none). */
    public int writeAcks() {
        return writeAcks;
    }

    public long writeAcksTimeoutMillis() {
        return writeAcksTimeoutMillis;
    }

    /** Sets the durability option; called once at start-up, before clients connect. */
    public void writeAcks(int acks, long timeoutMillis) {
        this.writeAcks = acks;
        this.writeAcksTimeoutMillis = timeoutMillis;
    }

    /** {@code --multi-key-scope}: which keys a multi-key command or a transaction may combine. */
    public MultiKeyScope keyScope() {
        return keyScope;
    }

    public ClientRegistry clients() {
        return clients;
    }

    /** The proxy's settings by option name, for CONFIG GET. */
    public java.util.Map<String, String> settings() {
        return settings;
    }

    public ClusterState cluster() {
        return cluster;
    }

    public ClientLimits limits() {
        return limits;
    }

    /** The password clients must AUTH with, or null when none is required. */
    public String password() {
        return password;
    }

    public long startMillis() {
        return startMillis;
    }

    long nextClientId() {
        return clientIds.incrementAndGet();
    }

    /**
     * The proxy's own sections of INFO for {@code section}: {@code # Proxy} (default, all,
     * everything or proxy), {@code # Commandstats} and {@code # Latencystats} (all, everything or
     * their name), which stand in for the backends' sections of those names; otherwise empty.
     */
    public String infoSection(String section) {
        String s = section.toLowerCase(java.util.Locale.ROOT);
        boolean all = s.equals("all") || s.equals("everything");
        String own = (all || s.equals("commandstats") ? stats.commandStatsSection() : "")
                + (all ? "\r\n" : "") // sections are separated by one blank line
                + (all || s.equals("latencystats") ? stats.latencyStatsSection() : "")
                + (s.equals("hotkeys") ? stats.hotKeys().infoSection() : "");
        if (!all && !s.equals("default") && !s.equals("proxy")) {
            return own;
        }
        io.kvstore.config.SlotMap map = cluster.map();
        return own + (all ? "\r\n" : "") + "# Proxy\r\n"
                + "proxy:kvstore\r\n"
                + "proxy_uptime_in_seconds:" + (System.currentTimeMillis() - startMillis) / 1000 + "\r\n"
                + "proxy_connected_clients:" + connectedClients.get() + "\r\n"
                + "proxy_total_commands_processed:" + totalCommands.sum() + "\r\n"
                + "slot_map_epoch:" + map.epoch() + "\r\n"
                + "groups:" + map.groups().size() + "\r\n"
                + inFlight.info()
                + holds.info()
                + access.info()
                + stats.summaryLines()
                + stats.groupLines(map)
                + extraInfo.get();
    }

    /** The port clients connect to, once bound (INFO's tcp_port). */
    public void port(int boundPort) {
        this.port = boundPort;
    }

    /** What INFO reports about the proxy itself, with the {@code # Proxy} section when {@code section} asks for it. */
    public io.kvstore.proxy.split.ProxyFacts infoFacts(String section) {
        return new io.kvstore.proxy.split.ProxyFacts(ProcessHandle.current().pid(), runId, port,
                ProcessHandle.current().info().command().orElse(""), (System.currentTimeMillis() - startMillis) / 1000,
                connectedClients.get(), limits.maxClients(), infoSection(section));
    }

    /** Lines added to the {@code # Proxy} section by other parts (the ZooKeeper control plane). */
    public void extraInfo(java.util.function.Supplier<String> lines) {
        this.extraInfo = lines;
    }

    /** {@code --max-requests-in-flight}: the loops' shares and their sum for INFO. */
    public io.kvstore.proxy.loop.InFlightBudgets inFlight() {
        return inFlight;
    }

    public AtomicInteger connectedClients() {
        return connectedClients;
    }

    public LongAdder totalCommands() {
        return totalCommands;
    }

    /** The groups' Redis versions, for HELLO. */
    ServerVersions versions() {
        return versions;
    }

    /** Latency and call figures and the slow log. */
    public ProxyStats stats() {
        return stats;
    }

    /** What migration holds cost this proxy's clients, for the metrics. */
    public HoldStats.Figures holdFigures() {
        return holds.figures();
    }

    HoldStats holds() {
        return holds;
    }
}
