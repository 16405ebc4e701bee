package io.kvstore.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.session.MultiKeyScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --multi-key-scope} and {@code --allow-config-set}: default, command line, environment and YAML. */
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
}
