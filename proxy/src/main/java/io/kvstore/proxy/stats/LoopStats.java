package io.kvstore.proxy.stats;

import io.kvstore.config.HostPort;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The figures one worker event loop records: per command ({@link CommandStats}) and per backend
 * server ({@link Latency} of its connections from this loop). Only the loop writes; readers on
 * other threads iterate the maps, which is why they are concurrent: a lookup of a command seen
 * before is a lock-free read with no allocation, a new command or server is added once.
 */
public final class LoopStats {

    private final ProxyStats owner;
    private final Map<String, CommandStats> commands = new ConcurrentHashMap<>();
    private final Map<HostPort, Latency> backends = new ConcurrentHashMap<>();
    private final Map<HostPort, BackendEvents> backendEvents = new ConcurrentHashMap<>();
    private final Map<String, Counter> protocolErrors = new ConcurrentHashMap<>();
    private final Counter[] errorKinds = new Counter[ErrorKind.values().length];
    private final io.kvstore.proxy.hotkeys.KeySampler hotKeys;
    /** See {@link #now}; the loop's own, never read elsewhere. */
    private long eventNanos;

    LoopStats(ProxyStats owner) {
        this.owner = owner;
        this.hotKeys = owner.hotKeys().newLoop();
        java.util.Arrays.setAll(errorKinds, i -> new Counter());
    }

    /** Whether requests are timed (latency tracking on). */
    public boolean enabled() {
        return owner.enabled();
    }

    /** The figures of command {@code name} (the command table's name, {@code container|sub} for a subcommand). */
    public CommandStats command(String name) {
        CommandStats s = commands.get(name);
        return s != null ? s : commands.computeIfAbsent(name, n -> new CommandStats(n, this));
    }

    /** A timer for one new pipelined connection to {@code server}. */
    public BackendTimer backendTimer(HostPort server) {
        BackendEvents events = backendEvents.computeIfAbsent(server, a -> new BackendEvents(owner.latencyMonitor()));
        return enabled() ? new BackendTimer(backends.computeIfAbsent(server, a -> new Latency()), this, events)
                : new BackendTimer(null, null, events);
    }

    /** A client sent bytes that are not RESP ({@code kind}: ProtocolError's); counted as an error reply of kind PROTOCOL too. */
    public void protocolError(String kind) {
        error(ErrorKind.PROTOCOL);
        protocolErrors.computeIfAbsent(kind, k -> new Counter()).add(1);
    }

    Map<String, Counter> protocolErrors() {
        return protocolErrors;
    }

    Map<HostPort, BackendEvents> backendEvents() {
        return backendEvents;
    }

    /** This loop's hot-key sampler. */
    public io.kvstore.proxy.hotkeys.KeySampler hotKeys() {
        return hotKeys;
    }

    public SlowLog slowLog() {
        return owner.slowLog();
    }

    Map<String, CommandStats> commands() {
        return commands;
    }

    /**
     * The loop's current time: the arrival of the backend reply being handled when there is one
     * (read once for the backend time and the client's total time), else a fresh reading.
     */
    long now() {
        long t = eventNanos;
        return t != 0 ? t : System.nanoTime();
    }

    /** Lends the reading of the event being handled to {@link #now}; 0 when it is over. */
    void event(long nanos) {
        eventNanos = nanos;
    }

    /** Counts an error reply to a client; only from the loop. */
    void error(ErrorKind kind) {
        errorKinds[kind.ordinal()].add(1);
    }

    long errors(ErrorKind kind) {
        return errorKinds[kind.ordinal()].get();
    }

    Map<HostPort, Latency> backends() {
        return backends;
    }
}
