package io.kvstore.proxy.server;

import io.kvstore.config.HostPort;
import io.kvstore.proxy.tls.TlsOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options of the TLS listener for clients, a picocli mixin of {@link ProxyMain} (so the YAML
 * file and the environment give them as they give every option); the backends' TLS options stay
 * with the other backend options. Main thread only.
 */
final class TlsListenerOptions {

    @Option(names = "--tls-listen", paramLabel = "HOST:PORT",
            description = "Address of a TLS listener for clients, beside --listen (default: none). See doc/security.md.")
    String tlsListen;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate (chain) of the TLS listener; re-read when it changes.")
    String tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM (PKCS#8) private key of --tls-cert; re-read when it changes.")
    String tlsKey;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "PEM CA certificate(s) client certificates must be signed by.")
    String tlsCa;

    @Option(names = "--tls-auth-clients", paramLabel = "yes|no|optional",
            description = "Whether TLS clients must present a certificate signed by --tls-ca (default: yes with --tls-ca, else no).")
    String tlsAuthClients;

    @Option(names = "--tls-protocols", paramLabel = "\"TLSv1.2 TLSv1.3\"", description = "Enabled TLS versions (default: the engine's).")
    String tlsProtocols;

    @Option(names = "--tls-ciphers", paramLabel = "LIST",
            description = "Enabled TLSv1.2 cipher suites, separated by ':' or spaces (default: the engine's). See doc/security.md.")
    String tlsCiphers;

    @Option(names = "--tls-ciphersuites", paramLabel = "LIST", description = "Enabled TLSv1.3 cipher suites (default: the engine's).")
    String tlsCiphersuites;

    @Option(names = "--tls-engine", defaultValue = "auto", paramLabel = "auto|openssl|jdk",
            description = "TLS implementation: auto takes BoringSSL (netty-tcnative) when it loads, else the JDK's (default: ${DEFAULT-VALUE}).")
    String tlsEngine;

    @Option(names = "--tls-reload-interval-ms", defaultValue = "" + TlsOptions.DEFAULT_RELOAD_MILLIS,
            description = "How often the TLS certificate, key and CA files are checked for a change (default: ${DEFAULT-VALUE}).")
    long tlsReloadIntervalMs;

    /** The TLS listener's options, or null without --tls-listen. */
    TlsOptions options() {
        if (blank(tlsListen) == null) {
            return null;
        }
        List<String> ciphers = new ArrayList<>(TlsOptions.parseList(tlsCiphers));
        ciphers.addAll(TlsOptions.parseList(tlsCiphersuites));
        return new TlsOptions(HostPort.parse(tlsListen), blank(tlsCert), blank(tlsKey), blank(tlsCa),
                TlsOptions.parseAuthClients(tlsAuthClients), TlsOptions.parseList(tlsProtocols), ciphers, tlsEngine,
                tlsReloadIntervalMs);
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

}
