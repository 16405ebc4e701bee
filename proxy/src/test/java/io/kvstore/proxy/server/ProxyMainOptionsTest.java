package io.kvstore.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.HostPort;
import io.kvstore.proxy.session.MultiKeyScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --multi-key-scope}, {@code --allow-config-set} and others: default, command line, environment and YAML; bad values stop the proxy. */
class ProxyMainOptionsTest {

    private static ProxyOptions parse(Map<String, String> env, String yaml, String... args) {
        ProxyMain main = new ProxyMain();
        CommandLine cli = new CommandLine(main);
        cli.setDefaultValueProvider(new EnvAndFileDefaults(env, yaml));
        cli.parseArgs(args);
        return main.options();
    }

    @Test
    void slotScopeByDefault() {
        assertEquals(MultiKeyScope.SLOT, parse(Map.of(), null, "--backends", "127.0.0.1:1").multiKeyScope());
    }

    @Test
    void fromTheCommandLineTheEnvironmentAndTheYamlFile(@TempDir Path dir) throws Exception {
        assertEquals(MultiKeyScope.GROUP, parse(Map.of(), null, "--multi-key-scope", "group").multiKeyScope());
        assertEquals(MultiKeyScope.GROUP, parse(Map.of("KVSTORE_MULTI_KEY_SCOPE", "group"), null).multiKeyScope());
        Path yaml = dir.resolve("proxy.yml");
        Files.writeString(yaml, "multi-key-scope: group\n");
        assertEquals(MultiKeyScope.GROUP, parse(Map.of(), yaml.toString()).multiKeyScope());
    }

    @Test
    void configSetIsOffByDefaultAndOnByFlagEnvironmentOrYaml(@TempDir Path dir) throws Exception {
        assertFalse(parse(Map.of(), null, "--backends", "127.0.0.1:1").allowConfigSet());
        assertTrue(parse(Map.of(), null, "--allow-config-set").allowConfigSet());
        assertTrue(parse(Map.of("KVSTORE_ALLOW_CONFIG_SET", "true"), null).allowConfigSet());
        Path yaml = dir.resolve("proxy.yml");
        Files.writeString(yaml, "allow-config-set: true\n");
        assertTrue(parse(Map.of(), yaml.toString()).allowConfigSet());
    }

    @Test
    void anUnknownScopeStopsTheProxy() {
        CommandLine cli = new CommandLine(new ProxyMain());
        cli.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
        assertEquals(2, cli.execute("--backends", "127.0.0.1:1", "--multi-key-scope", "cluster"));
    }

    /** Exit code 2 before anything binds (an exception from the server's start would exit 1). */
    @Test
    void anUnknownOrUnusableTransportStopsTheProxy() {
        CommandLine cli = new CommandLine(new ProxyMain());
        cli.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
        assertEquals(2, cli.execute("--backends", "127.0.0.1:1", "--transport", "select"));
        String missing = io.netty.channel.kqueue.KQueue.isAvailable() ? "epoll" : "kqueue";
        assertEquals(2, cli.execute("--backends", "127.0.0.1:1", "--transport", missing));
    }

    @Test
    void busyPollIsOffByDefaultAndSetByFlagEnvironmentOrYaml(@TempDir Path dir) throws Exception {
        assertEquals(0, parse(Map.of(), null, "--backends", "127.0.0.1:1").busyPollMicros());
        assertEquals(50, parse(Map.of(), null, "--busy-poll-us", "50").busyPollMicros());
        assertEquals(20, parse(Map.of("KVSTORE_BUSY_POLL_US", "20"), null).busyPollMicros());
        Path yaml = dir.resolve("proxy.yml");
        Files.writeString(yaml, "busy-poll-us: 30\nthreads: 3\n");
        ProxyOptions fromYaml = parse(Map.of(), yaml.toString());
        assertEquals(30, fromYaml.busyPollMicros());
        assertEquals(3, fromYaml.threads(), "--threads moved into the same mixin, still read");
        assertEquals(50, fromYaml.withClientLimits(fromYaml.clientLimits()).withBusyPollMicros(50).withThreads(2).busyPollMicros(),
                "kept through the other with-methods");
    }

    /** Exit code 2 before anything binds: negative, too long, or with io_uring. */
    @Test
    void aBadBusyPollStopsTheProxy() {
        CommandLine cli = new CommandLine(new ProxyMain());
        cli.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
        assertEquals(2, cli.execute("--backends", "127.0.0.1:1", "--busy-poll-us", "-1"));
        assertEquals(2, cli.execute("--backends", "127.0.0.1:1", "--busy-poll-us", "10001"));
        assertEquals(2, cli.execute("--backends", "127.0.0.1:1", "--busy-poll-us", "many"));
        assertEquals(2, cli.execute("--backends", "127.0.0.1:1", "--busy-poll-us", "10", "--transport", "io_uring"));
    }

    @Test
    void backendViaDialsAnotherAddressForTheNamedServersOnly() {
        var dial = parse(Map.of(), null, "--backends", "127.0.0.1:1",
                "--backend-via", "127.0.0.1:7101=127.0.0.1:9101,127.0.0.1:7102=127.0.0.1:9102").backendOptions().dialAddress();
        assertEquals(HostPort.parse("127.0.0.1:9101"), dial.apply(HostPort.parse("127.0.0.1:7101")));
        assertEquals(HostPort.parse("127.0.0.1:9102"), dial.apply(HostPort.parse("127.0.0.1:7102")));
        assertEquals(HostPort.parse("127.0.0.1:7103"), dial.apply(HostPort.parse("127.0.0.1:7103")), "others as named");
        assertEquals(HostPort.parse("127.0.0.1:7103"),
                parse(Map.of(), null, "--backends", "127.0.0.1:1").backendOptions().dialAddress().apply(HostPort.parse("127.0.0.1:7103")));
        CommandLine cli = new CommandLine(new ProxyMain());
        cli.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
        assertEquals(2, cli.execute("--backends", "127.0.0.1:1", "--backend-via", "127.0.0.1:7101"), "SERVER=VIA or a usage error");
    }

    @Test
    void theOutputBufferLimitIs64MegabytesByDefault() {
        assertEquals(64L << 20, parse(Map.of(), null, "--backends", "127.0.0.1:1").clientLimits().maxOutputBuffer());
        assertEquals(1L << 20, parse(Map.of(), null, "--max-output-buffer", "1048576").clientLimits().maxOutputBuffer());
    }
}
