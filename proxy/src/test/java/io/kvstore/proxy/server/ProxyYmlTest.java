package io.kvstore.proxy.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * packaging/conf/proxy.yml, the commented example shipped in the tarball, names every option of
 * kvstore-proxy (set, or commented out), and every option it sets without a comment has the
 * option's own default there, so the file cannot drift from the option definitions again. The
 * file stays written by hand: its comments explain the two modes and the choices, which a
 * generated file could not. The options come from picocli's model of {@link ProxyMain}.
 */
class ProxyYmlTest {

    private static final Path FILE = Path.of("..", "packaging", "conf", "proxy.yml");
    private static final Pattern KEY = Pattern.compile("^#? ?([a-z][a-z0-9-]*):(.*)$");
    /** Not settings: the file itself, and the two the file sets to other values on purpose (said in its header). */
    private static final Set<String> NOT_COMPARED = Set.of("config", "backends");

    /** The file's commented example uses {@code users:}, as doc/security.md does: that key must be read. */
    @Test
    void usersFromYamlAndTheCommandLine(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("proxy.yml"), "users:\n  - \"alice on >a, b ~* +@all\"\n  - \"default off\"\n");
        ProxyMain main = new ProxyMain();
        CommandLine cli = new CommandLine(main);
        cli.setDefaultValueProvider(new EnvAndFileDefaults(Map.of(), yaml.toString()));
        cli.parseArgs("--backends", "127.0.0.1:1");
        org.junit.jupiter.api.Assertions.assertEquals(List.of("alice on >a, b ~* +@all", "default off"), main.access.staticUsers());
        ProxyMain flags = new ProxyMain();
        new CommandLine(flags).parseArgs("--backends", "127.0.0.1:1", "--user", "bob on nopass", "--users", "carol off");
        org.junit.jupiter.api.Assertions.assertEquals(List.of("bob on nopass", "carol off"), flags.access.staticUsers());
    }

    /** The per-user connection limits, from a YAML list and from repeated flags. */
    @Test
    void connectionLimitsFromYamlAndTheCommandLine(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("proxy.yml"),
                "max-connections-per-user: 3\nmax-connections-for-user:\n  - batch=5\n  - default=0\n");
        ProxyMain main = new ProxyMain();
        CommandLine cli = new CommandLine(main);
        cli.setDefaultValueProvider(new EnvAndFileDefaults(Map.of(), yaml.toString()));
        cli.parseArgs("--backends", "127.0.0.1:1");
        org.junit.jupiter.api.Assertions.assertEquals(new io.kvstore.proxy.session.UserConnections.Limits(3,
                Map.of("batch", 5, "default", 0)), main.access.connectionLimits());
        ProxyMain flags = new ProxyMain();
        new CommandLine(flags).parseArgs("--backends", "127.0.0.1:1", "--max-connections-for-user", "a=1",
                "--max-connections-for-user", "b=2");
        org.junit.jupiter.api.Assertions.assertEquals(new io.kvstore.proxy.session.UserConnections.Limits(0,
                Map.of("a", 1, "b", 2)), flags.access.connectionLimits());
        ProxyMain negative = new ProxyMain();
        new CommandLine(negative).parseArgs("--backends", "127.0.0.1:1", "--max-connections-per-user", "-1");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> negative.access.check(false));
    }

    /** A misspelt key is refused, naming it; the shipped file itself passes (its keys are all options). */
    @Test
    void unknownKeysAreRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        CommandLine cli = new CommandLine(new ProxyMain());
        Path typo = Files.writeString(dir.resolve("typo.yml"), "max-client: 5\nthreads: 1\n");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new EnvAndFileDefaults(Map.of(), typo.toString()).refuseUnknownKeys(cli.getCommandSpec()));
        assertTrue(e.getMessage().contains("max-client") && !e.getMessage().contains("threads"), e.getMessage());
        new EnvAndFileDefaults(Map.of(), FILE.toString()).refuseUnknownKeys(cli.getCommandSpec());
    }

    @Test
    void namesEveryOptionWithItsDefault() throws Exception {
        Map<String, String> set = new HashMap<>();
        Set<String> named = new java.util.HashSet<>();
        for (String line : Files.readAllLines(FILE)) {
            Matcher m = KEY.matcher(line);
            if (m.matches()) {
                named.add(m.group(1));
                if (!line.startsWith("#")) {
                    set.put(m.group(1), m.group(2).replaceAll("\\s+#.*$", "").trim());
                }
            }
        }
        List<String> missing = new ArrayList<>();
        List<String> wrongDefault = new ArrayList<>();
        for (OptionSpec o : new CommandLine(new ProxyMain()).getCommandSpec().options()) {
            if (o.usageHelp() || o.versionHelp()) {
                continue;
            }
            String key = o.longestName().replaceFirst("^--", "");
            if (key.equals("config")) {
                continue;
            }
            if (!named.contains(key)) {
                missing.add(key);
            }
            String value = set.get(key);
            if (value != null && !value.isEmpty() && !NOT_COMPARED.contains(key) && o.defaultValue() != null
                    && !value.equals(o.defaultValue())) {
                wrongDefault.add(key + ": " + value + " (default " + o.defaultValue() + ")");
            }
        }
        assertTrue(named.size() > 40, "the file was read: " + named.size() + " keys");
        assertTrue(missing.isEmpty(), "options missing from " + FILE + ": " + missing);
        assertTrue(wrongDefault.isEmpty(), "values that are not the default in " + FILE + ": " + wrongDefault);
    }
}
