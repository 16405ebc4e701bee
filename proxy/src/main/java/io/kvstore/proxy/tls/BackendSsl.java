package io.kvstore.proxy.tls;

import io.kvstore.config.BackendTls;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client {@link SslContext} of the proxy's connections to redis-servers, one per distinct
 * {@link BackendTls}, built on first use and kept (thread-safe). {@code ProxyMain} builds it at
 * start-up, so a bad file stops the proxy at once and no event loop reads a file.
 */
public final class BackendSsl {

    private static final Logger LOG = LoggerFactory.getLogger(BackendSsl.class);
    private static final Map<BackendTls, SslContext> CONTEXTS = new ConcurrentHashMap<>();

    private BackendSsl() {
    }

    /**
     * A handler for a new connection to {@code host}:{@code port}, to go first in its pipeline;
     * checks the host name in the server's certificate when {@code tls} says so.
     */
    public static SslHandler handler(BackendTls tls, ByteBufAllocator alloc, String host, int port) {
        SslHandler h = context(tls).newHandler(alloc, host, port);
        if (tls.verifyHostname()) {
            SSLParameters p = h.engine().getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            h.engine().setSSLParameters(p);
        }
        return h;
    }

    /** The context for {@code tls}; throws IllegalArgumentException when its files cannot be loaded. */
    public static SslContext context(BackendTls tls) {
        return CONTEXTS.computeIfAbsent(tls, BackendSsl::build);
    }

    private static SslContext build(BackendTls t) {
        SslProvider provider = TlsEngine.choose("auto");
        try {
            SslContextBuilder b = SslContextBuilder.forClient().sslProvider(provider).trustManager(new File(t.ca()));
            if (t.cert() != null) {
                b.keyManager(new File(t.cert()), new File(t.key()));
            }
            SslContext c = b.build();
            LOG.info("TLS to redis-servers with {}, CA {}{}", TlsEngine.describe(provider), t.ca(),
                    t.cert() == null ? "" : ", client certificate " + t.cert());
            return c;
        } catch (SSLException | RuntimeException e) {
            throw new IllegalArgumentException("cannot load backend TLS files (" + t + "): " + e.getMessage(), e);
        }
    }
}
