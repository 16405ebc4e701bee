package io.kvstore.proxy.tls;

import io.kvstore.config.HostPort;
import io.netty.handler.ssl.ClientAuth;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The TLS listener for clients ({@code --tls-listen} and the options after it, named as Redis's
 * {@code tls-*} directives). Immutable value.
 *
 * @param listen        address of the TLS listener (port 0 picks a free port)
 * @param cert          PEM file of the proxy's certificate chain
 * @param key           PEM file (PKCS#8) of its private key
 * @param ca            PEM file of the CA(s) client certificates must be signed by, or null
 * @param authClients   whether clients must present a certificate: {@code yes} (REQUIRE), {@code optional}, {@code no}
 * @param protocols     enabled protocol versions ({@code TLSv1.2}, {@code TLSv1.3}); empty = the engine's defaults
 * @param ciphers       enabled cipher suites (TLSv1.2 and TLSv1.3 alike); empty = the engine's defaults
 * @param engine        {@code auto} (BoringSSL when netty-tcnative loads, else the JDK), {@code openssl} or {@code jdk}
 * @param reloadMillis  how often the certificate, key and CA files are checked for a change
 */
public record TlsOptions(HostPort listen, String cert, String key, String ca, ClientAuth authClients,
                         List<String> protocols, List<String> ciphers, String engine, long reloadMillis) {

    public static final long DEFAULT_RELOAD_MILLIS = 1000;

    public TlsOptions {
        Objects.requireNonNull(listen, "listen");
        if (cert == null || key == null) {
            throw new IllegalArgumentException("--tls-listen needs --tls-cert and --tls-key");
        }
        authClients = authClients == null ? (ca == null ? ClientAuth.NONE : ClientAuth.REQUIRE) : authClients;
        if (authClients != ClientAuth.NONE && ca == null) {
            throw new IllegalArgumentException("--tls-auth-clients yes or optional needs --tls-ca");
        }
        protocols = protocols == null ? List.of() : List.copyOf(protocols);
        ciphers = ciphers == null ? List.of() : List.copyOf(ciphers);
        engine = engine == null ? "auto" : engine.toLowerCase(Locale.ROOT);
        if (reloadMillis < 1) {
            throw new IllegalArgumentException("the TLS reload interval must be >= 1 ms");
        }
    }

    /** A listener on {@code listen} with {@code cert}/{@code key}, clients checked against {@code ca} if not null (Redis's default: yes). */
    public static TlsOptions of(HostPort listen, String cert, String key, String ca) {
        return new TlsOptions(listen, cert, key, ca, null, null, null, "auto", DEFAULT_RELOAD_MILLIS);
    }

    public TlsOptions withAuthClients(ClientAuth auth) {
        return new TlsOptions(listen, cert, key, ca, auth, protocols, ciphers, engine, reloadMillis);
    }

    public TlsOptions withEngine(String e) {
        return new TlsOptions(listen, cert, key, ca, authClients, protocols, ciphers, e, reloadMillis);
    }

    public TlsOptions withReloadMillis(long millis) {
        return new TlsOptions(listen, cert, key, ca, authClients, protocols, ciphers, engine, millis);
    }

    /** Redis's {@code tls-auth-clients} values: yes, no, optional; null or empty: the default (yes with a CA). */
    public static ClientAuth parseAuthClients(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "yes" -> ClientAuth.REQUIRE;
            case "optional" -> ClientAuth.OPTIONAL;
            case "no" -> ClientAuth.NONE;
            default -> throw new IllegalArgumentException("--tls-auth-clients must be yes, no or optional, not " + value);
        };
    }

    /** A list as Redis writes it ({@code "TLSv1.2 TLSv1.3"}, or OpenSSL's colon-separated cipher lists). */
    public static List<String> parseList(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.trim().split("[\\s:,]+")).filter(s -> !s.isEmpty()).toList();
    }
}
