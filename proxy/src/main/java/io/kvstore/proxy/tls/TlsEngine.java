package io.kvstore.proxy.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/**
 * Which TLS implementation runs the handshakes and the record layer: BoringSSL through
 * netty-tcnative when its native library loads on this machine, the JDK's {@code SSLEngine}
 * otherwise. Stateless.
 */
public final class TlsEngine {

    private TlsEngine() {
    }

    /** {@code auto}, {@code openssl} (or {@code boringssl}) or {@code jdk}; openssl fails when it does not load. */
    public static SslProvider choose(String engine) {
        return switch (engine == null ? "auto" : engine) {
            case "auto" -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
            case "openssl", "boringssl" -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalArgumentException("--tls-engine openssl: netty-tcnative does not load here: "
                            + OpenSsl.unavailabilityCause());
                }
                yield SslProvider.OPENSSL;
            }
            case "jdk" -> SslProvider.JDK;
            default -> throw new IllegalArgumentException("--tls-engine must be auto, openssl or jdk, not " + engine);
        };
    }

    /** For the logs and INFO: {@code BoringSSL (netty-tcnative)} or {@code JDK 17.0.15}, and why not BoringSSL. */
    public static String describe(SslProvider provider) {
        if (provider == SslProvider.OPENSSL || provider == SslProvider.OPENSSL_REFCNT) {
            return OpenSsl.versionString() + " (netty-tcnative)";
        }
        String why = OpenSsl.isAvailable() ? "" : " (netty-tcnative unavailable: " + OpenSsl.unavailabilityCause() + ")";
        return "JDK SSLEngine " + System.getProperty("java.version") + why;
    }
}
