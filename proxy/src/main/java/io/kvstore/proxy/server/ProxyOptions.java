package io.kvstore.proxy.server;

import io.kvstore.config.HostPort;
import io.kvstore.proxy.backend.BackendOptions;
import io.kvstore.proxy.session.ClientLimits;
import io.kvstore.proxy.session.MultiKeyScope;
import io.kvstore.proxy.tls.TlsOptions;
import java.util.Objects;

/**
 * Everything a proxy needs to start, apart from where its slot map comes from. Immutable value.
 *
 * @param listen    address to accept clients on (port 0 picks a free port)
 * @param threads   worker event loops
 * @param transport auto, epoll, io_uring, kqueue or nio ({@link Transport#choose})
 * @param password  the password clients must AUTH with, or null
 * @param multiKeyScope which keys a multi-key command may combine ({@code --multi-key-scope})
 * @param allowConfigSet whether clients may CONFIG SET redis-server parameters cluster-wide ({@code --allow-config-set})
 * @param tls       a TLS listener beside the plain one ({@code --tls-listen}), or null
 * @param users     ACL rule lines of the users clients may AUTH as, in force before the first client
 *                  ({@code --user}, {@code --acl-file}, or ZooKeeper's users at start); empty: only the default user
 * @param busyPollMicros how long a worker loop polls before it sleeps ({@code --busy-poll-us}; 0: it sleeps at once)
 */
public record ProxyOptions(HostPort listen, int threads, String transport, ClientLimits clientLimits,
                           BackendOptions backendOptions, String password, MultiKeyScope multiKeyScope,
                           boolean allowConfigSet, TlsOptions tls, java.util.List<String> users,
                           long busyPollMicros) {

    public ProxyOptions {
        Objects.requireNonNull(listen, "listen");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1");
        }
        transport = transport == null ? "auto" : transport;
        clientLimits = clientLimits == null ? ClientLimits.DEFAULTS : clientLimits;
        backendOptions = backendOptions == null ? BackendOptions.DEFAULTS : backendOptions;
        multiKeyScope = multiKeyScope == null ? MultiKeyScope.SLOT : multiKeyScope;
        users = users == null ? java.util.List.of() : java.util.List.copyOf(users);
        if (busyPollMicros < 0 || busyPollMicros > MAX_BUSY_POLL_MICROS) {
            throw new IllegalArgumentException("--busy-poll-us must be 0.." + MAX_BUSY_POLL_MICROS + ", got " + busyPollMicros);
        }
        Transport.checkBusyPoll(transport, busyPollMicros);
    }

    /** A longer spin only burns a core the loop could give away: the figures in doc/performance.md stop at 200. */
    public static final long MAX_BUSY_POLL_MICROS = 10_000;

    /** No busy-poll. */
    public ProxyOptions(HostPort listen, int threads, String transport, ClientLimits clientLimits,
                        BackendOptions backendOptions, String password, MultiKeyScope multiKeyScope,
                        boolean allowConfigSet, TlsOptions tls, java.util.List<String> users) {
        this(listen, threads, transport, clientLimits, backendOptions, password, multiKeyScope, allowConfigSet, tls, users, 0);
    }

    /** With worker loops that poll for {@code micros} before sleeping ({@code --busy-poll-us}). */
    public ProxyOptions withBusyPollMicros(long micros) {
        return new ProxyOptions(listen, threads, transport, clientLimits, backendOptions, password, multiKeyScope,
                allowConfigSet, tls, users, micros);
    }

    /** Only the default user. */
    public ProxyOptions(HostPort listen, int threads, String transport, ClientLimits clientLimits,
                        BackendOptions backendOptions, String password, MultiKeyScope multiKeyScope,
                        boolean allowConfigSet, TlsOptions tls) {
        this(listen, threads, transport, clientLimits, backendOptions, password, multiKeyScope, allowConfigSet, tls, null);
    }

    /** The same with the users of {@code lines}. */
    public ProxyOptions withUsers(java.util.List<String> lines) {
        return new ProxyOptions(listen, threads, transport, clientLimits, backendOptions, password, multiKeyScope,
                allowConfigSet, tls, lines, busyPollMicros);
    }

    /** No TLS listener. */
    public ProxyOptions(HostPort listen, int threads, String transport, ClientLimits clientLimits,
                        BackendOptions backendOptions, String password, MultiKeyScope multiKeyScope, boolean allowConfigSet) {
        this(listen, threads, transport, clientLimits, backendOptions, password, multiKeyScope, allowConfigSet, null);
    }

    /** CONFIG SET refused ({@code --allow-config-set} off). */
    public ProxyOptions(HostPort listen, int threads, String transport, ClientLimits clientLimits,
                        BackendOptions backendOptions, String password, MultiKeyScope multiKeyScope) {
        this(listen, threads, transport, clientLimits, backendOptions, password, multiKeyScope, false);
    }

    /** The default multi-key scope (slot). */
    public ProxyOptions(HostPort listen, int threads, String transport, ClientLimits clientLimits,
                        BackendOptions backendOptions, String password) {
        this(listen, threads, transport, clientLimits, backendOptions, password, null);
    }

    /** Defaults, listening on {@code listen}, one worker per core. */
    public static ProxyOptions on(HostPort listen) {
        return new ProxyOptions(listen, Runtime.getRuntime().availableProcessors(), "auto", null, null, null);
    }

    public ProxyOptions withThreads(int n) {
        return new ProxyOptions(listen, n, transport, clientLimits, backendOptions, password, multiKeyScope, allowConfigSet, tls,
                users, busyPollMicros);
    }

    /** With the I/O transport named {@code name} ({@code --transport}). */
    public ProxyOptions withTransport(String name) {
        return new ProxyOptions(listen, threads, name, clientLimits, backendOptions, password, multiKeyScope, allowConfigSet, tls,
                users, busyPollMicros);
    }

    public ProxyOptions withClientLimits(ClientLimits limits) {
        return new ProxyOptions(listen, threads, transport, limits, backendOptions, password, multiKeyScope, allowConfigSet, tls,
                users, busyPollMicros);
    }

    public ProxyOptions withBackendOptions(BackendOptions backend) {
        return new ProxyOptions(listen, threads, transport, clientLimits, backend, password, multiKeyScope, allowConfigSet, tls,
                users, busyPollMicros);
    }

    public ProxyOptions withMultiKeyScope(MultiKeyScope scope) {
        return new ProxyOptions(listen, threads, transport, clientLimits, backendOptions, password, scope, allowConfigSet, tls,
                users, busyPollMicros);
    }

    public ProxyOptions withAllowConfigSet(boolean allow) {
        return new ProxyOptions(listen, threads, transport, clientLimits, backendOptions, password, multiKeyScope, allow, tls,
                users, busyPollMicros);
    }

    /** With a TLS listener as {@code t} says (null: none). */
    public ProxyOptions withTls(TlsOptions t) {
        return new ProxyOptions(listen, threads, transport, clientLimits, backendOptions, password, multiKeyScope, allowConfigSet, t,
                users, busyPollMicros);
    }
}
