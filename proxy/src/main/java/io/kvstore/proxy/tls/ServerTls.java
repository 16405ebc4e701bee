package io.kvstore.proxy.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of the client listener: the current {@link SslContext}, and a thread of its own
 * ({@code kvstore-tls-reload}) that re-reads the certificate, key and CA files when they change.
 *
 * <p>Invariant: {@link #newHandler} reads the context once, through a volatile field, when a
 * connection is accepted; a reload builds a whole new context and swaps the field, so a
 * connection keeps the context it was accepted with (existing connections are never dropped)
 * and every new one gets the new certificate. Files are read only on the reload thread and at
 * start, never on an event loop. A change that cannot be loaded (say the certificate is written
 * and the key not yet) keeps the previous context and is tried again at the next change.
 */
public final class ServerTls implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

    private final TlsOptions options;
    private final SslProvider provider;
    private final ScheduledExecutorService reloader;
    private volatile SslContext context;
    private volatile long reloads;        // written by the reload thread only
    private volatile long reloadFailures; // likewise
    private List<Object> stamps; // reload thread only, after start

    private ServerTls(TlsOptions options, SslProvider provider) throws SSLException {
        this.options = options;
        this.provider = provider;
        this.stamps = stamps();
        this.context = build();
        this.reloader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kvstore-tls-reload");
            t.setDaemon(true);
            return t;
        });
    }

    /** Loads the files (failing at once if they are unusable) and starts watching them. */
    public static ServerTls start(TlsOptions options) {
        SslProvider provider = TlsEngine.choose(options.engine());
        ServerTls tls;
        try {
            tls = new ServerTls(options, provider);
        } catch (SSLException | RuntimeException e) {
            throw new IllegalArgumentException("cannot load the TLS certificate " + options.cert() + " and key "
                    + options.key() + ": " + e.getMessage(), e);
        }
        tls.reloader.scheduleWithFixedDelay(tls::reloadIfChanged, options.reloadMillis(), options.reloadMillis(),
                TimeUnit.MILLISECONDS);
        LOG.info("TLS with {}; client certificates: {}", TlsEngine.describe(provider), options.authClients());
        return tls;
    }

    /** A handler for a connection accepted now, with the current certificate. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        return context.newHandler(alloc);
    }

    /** Changes of the files loaded since start. */
    public long reloads() {
        return reloads;
    }

    /** Changes of the files that could not be loaded (the previous certificate was kept). */
    public long reloadFailures() {
        return reloadFailures;
    }

    public SslProvider provider() {
        return provider;
    }

    public TlsOptions options() {
        return options;
    }

    private SslContext build() throws SSLException {
        SslContextBuilder b = SslContextBuilder.forServer(new File(options.cert()), new File(options.key()))
                .sslProvider(provider)
                .clientAuth(options.authClients());
        if (options.ca() != null) {
            b.trustManager(new File(options.ca()));
        }
        if (!options.protocols().isEmpty()) {
            b.protocols(options.protocols());
        }
        if (!options.ciphers().isEmpty()) {
            b.ciphers(options.ciphers());
        }
        return b.build();
    }

    /**
     * Re-reads the files now, changed or not (SIGHUP: an operator who replaced them within the
     * same second and size, or who does not want to wait for the next check). Runs on the reload
     * thread like every read of the files; returns at once.
     */
    public void reloadNow() {
        reloader.execute(() -> reload(true));
    }

    private void reloadIfChanged() {
        reload(false);
    }

    private void reload(boolean force) {
        List<Object> now = stamps();
        if (!force && now.equals(stamps)) {
            return;
        }
        stamps = now;
        try {
            context = build();
            reloads++;
            LOG.info("TLS certificate {} reloaded; new connections use it", options.cert());
        } catch (SSLException | RuntimeException e) {
            reloadFailures++;
            LOG.warn("TLS files changed but cannot be loaded ({}); keeping the previous certificate", e.getMessage());
        }
    }

    /** Modification time and size of each file: a change of either is a change. */
    private List<Object> stamps() {
        List<Object> out = new ArrayList<>();
        for (String f : new String[] {options.cert(), options.key(), options.ca()}) {
            if (f == null) {
                continue;
            }
            try {
                BasicFileAttributes a = Files.readAttributes(Path.of(f), BasicFileAttributes.class);
                out.add(a.lastModifiedTime());
                out.add(a.size());
            } catch (IOException e) {
                out.add("missing");
            }
        }
        return out;
    }

    /** Stops watching the files; connections keep their context. */
    @Override
    public void close() {
        reloader.shutdownNow();
    }
}
