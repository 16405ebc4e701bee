package io.kvstore.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.handler.ssl.ClientAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The TLS options of {@code kvstore-proxy}: from the command line and YAML, checked before start. */
class ProxyMainTlsOptionsTest {

    private static ProxyMain parse(Map<String, String> env, String yaml, String... args) {
        ProxyMain main = new ProxyMain();
        CommandLine cli = new CommandLine(main);
        cli.setDefaultValueProvider(new EnvAndFileDefaults(env, yaml));
        cli.parseArgs(args);
        return main;
    }

    @Test
    void tlsListenerAndBackendTlsFromTheCommandLine() {
        ProxyMain m = parse(Map.of(), null, "--backends", "127.0.0.1:1", "--tls-listen", "127.0.0.1:7443",
                "--tls-cert", "/c.crt", "--tls-key", "/c.key", "--tls-ca", "/ca.crt", "--tls-auth-clients", "optional",
                "--tls-protocols", "TLSv1.2 TLSv1.3", "--backend-tls", "--backend-tls-ca", "/bca.crt");
        ProxyOptions o = m.options();
        assertEquals(7443, o.tls().listen().port());
        assertEquals(ClientAuth.OPTIONAL, o.tls().authClients());
        assertEquals(List.of("TLSv1.2", "TLSv1.3"), o.tls().protocols());
        assertEquals("/bca.crt", m.backendAuth().tls().ca());
        assertNull(m.backendAuth().tls().cert());
        assertEquals(false, m.backendAuth().tls().verifyHostname());
        assertEquals(true, parse(Map.of(), null, "--backends", "127.0.0.1:1", "--backend-tls", "--backend-tls-ca", "/c",
                "--backend-tls-verify-hostname").backendAuth().tls().verifyHostname());
    }

    @Test
    void noTlsByDefaultAndRedisDefaultOfAuthClients() {
        ProxyMain m = parse(Map.of(), null, "--backends", "127.0.0.1:1");
        assertNull(m.options().tls());
        assertNull(m.backendAuth().tls());
        ProxyMain withCa = parse(Map.of(), null, "--backends", "127.0.0.1:1", "--tls-listen", "127.0.0.1:0",
                "--tls-cert", "/c", "--tls-key", "/k", "--tls-ca", "/ca");
        assertEquals(ClientAuth.REQUIRE, withCa.options().tls().authClients(), "tls-auth-clients defaults to yes, as in Redis");
    }

    @Test
    void fromYamlAndEnvironment(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("proxy.yml");
        Files.writeString(yaml, "tls-listen: 127.0.0.1:7443\ntls-cert: /y.crt\ntls-key: /y.key\nbackend-tls: true\n"
                + "backend-tls-ca: /yca.crt\n");
        ProxyMain m = parse(Map.of("KVSTORE_TLS_AUTH_CLIENTS", "no"), yaml.toString(), "--backends", "127.0.0.1:1");
        assertEquals("/y.crt", m.options().tls().cert());
        assertEquals(ClientAuth.NONE, m.options().tls().authClients());
        assertEquals("/yca.crt", m.backendAuth().tls().ca());
    }

    @Test
    void inconsistentTlsOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), null, "--backends", "127.0.0.1:1",
                "--tls-listen", "127.0.0.1:0", "--tls-cert", "/c").options(), "no key");
        assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), null, "--backends", "127.0.0.1:1",
                "--tls-listen", "127.0.0.1:0", "--tls-cert", "/c", "--tls-key", "/k", "--tls-auth-clients", "yes").options(),
                "yes without a CA");
        assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), null, "--backends", "127.0.0.1:1",
                "--backend-tls").backendAuth(), "backend TLS without a CA");
    }
}
