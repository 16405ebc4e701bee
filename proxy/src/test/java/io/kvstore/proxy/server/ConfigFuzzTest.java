package io.kvstore.proxy.server;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * Coverage-guided fuzzing (Jazzer) of the proxy's option loading: a YAML file ({@code --config})
 * and {@code KVSTORE_*} variables, through {@link EnvAndFileDefaults} and picocli into the option
 * records {@link ProxyMain} builds. The input is the file; a first line {@code #env NAME=VALUE ...}
 * (a YAML comment) also sets {@code KVSTORE_NAME=VALUE} for each pair.
 *
 * <p>Invariant: loading either succeeds or fails with one of the errors {@code kvstore-proxy}
 * reports to the operator with a message: picocli's {@link CommandLine.ParameterException} (a
 * value that is not of its option's type, a file that is not a map), {@link UncheckedIOException}
 * (the file is not YAML: "cannot read config file ..."), {@link IllegalArgumentException} (a value
 * the option records refuse). Anything else (a NullPointerException, a ClassCastException, a
 * StackOverflowError...) is a finding.
 *
 * <p>Without {@code JAZZER_FUZZ} this replays the inputs under
 * {@code src/test/resources/io/kvstore/proxy/server/ConfigFuzzTestInputs/loading/};
 * {@code scripts/fuzz.sh config} fuzzes.
 */
class ConfigFuzzTest {

    private static Path file;

    @FuzzTest(maxDuration = "5m")
    void loading(byte[] input) throws IOException {
        if (file == null) {
            file = Files.createTempFile("kvstore-config-fuzz-", ".yml");
            file.toFile().deleteOnExit();
        }
        Files.write(file, input);
        ProxyMain main = new ProxyMain();
        try {
            CommandLine cli = new CommandLine(main);
            cli.setDefaultValueProvider(new EnvAndFileDefaults(env(input), file.toString()));
            cli.parseArgs();
            main.options();
            main.healthOptions();
            main.backendAuth();
            if (main.zk != null) { // as ProxyMain.call: each mode builds its own
                main.zkSettings();
            }
            if (main.backends != null) {
                main.staticMap();
            }
        } catch (CommandLine.ParameterException | UncheckedIOException | IllegalArgumentException documented) {
            assertFalse(documented.getMessage() == null || documented.getMessage().isBlank(), "an error says what is wrong");
        }
    }

    /** {@code KVSTORE_NAME=VALUE} for each {@code NAME=VALUE} on a first line {@code #env ...}. */
    private static Map<String, String> env(byte[] input) {
        Map<String, String> env = new HashMap<>();
        String text = new String(input, StandardCharsets.UTF_8);
        if (text.startsWith("#env ")) {
            int end = text.indexOf('\n');
            for (String pair : text.substring(5, end < 0 ? text.length() : end).trim().split(" +")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    env.put("KVSTORE_" + pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        return env;
    }
}
