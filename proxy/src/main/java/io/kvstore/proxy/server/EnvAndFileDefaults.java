package io.kvstore.proxy.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Default values for options not given on the command line: first the environment
 * ({@code --max-clients} is {@code KVSTORE_MAX_CLIENTS}), then the YAML file named by
 * {@code --config} or {@code KVSTORE_CONFIG} (key {@code max-clients}), then the annotation.
 * Used at start-up on the main thread, and again by each SIGHUP ({@link AccessReload}) on the signal thread: a new instance each time.
 */
public final class EnvAndFileDefaults implements CommandLine.IDefaultValueProvider {

    private final Map<String, String> env;
    private final JsonNode file;

    /** Defaults for {@code spec}'s options; a key of the file that names none of them is refused (a typo would be silent). */
    public EnvAndFileDefaults(CommandSpec spec, String[] args) {
        this(System.getenv(), configPath(args, System.getenv()));
        refuseUnknownKeys(spec);
    }

    void refuseUnknownKeys(CommandSpec spec) {
        if (file == null) {
            return;
        }
        java.util.List<String> unknown = new java.util.ArrayList<>();
        file.fieldNames().forEachRemaining(key -> {
            if (spec.findOption("--" + key) == null) {
                unknown.add(key);
            }
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) in the config file: " + String.join(", ", unknown)
                    + " (every key is an option without its leading --; see conf/proxy.yml)");
        }
    }

    EnvAndFileDefaults(Map<String, String> env, String configPath) {
        this.env = env;
        this.file = configPath == null ? null : read(configPath);
    }

    /** {@code --config} must be known before picocli applies defaults, so it is looked up by hand. */
    private static String configPath(String[] args, Map<String, String> env) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return args[i + 1];
            }
            if (args[i].startsWith("--config=")) {
                return args[i].substring("--config=".length());
            }
        }
        return env.get("KVSTORE_CONFIG");
    }

    private static JsonNode read(String path) {
        try {
            JsonNode node = new ObjectMapper(new YAMLFactory()).readTree(new File(path));
            if (node != null && !node.isObject() && !node.isMissingNode()) {
                throw new CommandLine.ParameterException(new CommandLine(CommandSpec.create()), path + ": expected a map of option: value");
            }
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read config file " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return arg.defaultValue();
        }
        String key = option.longestName().replaceFirst("^--", "");
        String fromEnv = env.get("KVSTORE_" + key.toUpperCase(Locale.ROOT).replace('-', '_'));
        if (fromEnv != null) {
            return fromEnv;
        }
        if (file != null && file.has(key)) {
            JsonNode v = file.get(key);
            if (v.isArray()) {
                // A list option split on new lines (users' rule lines hold commas) is joined the same way.
                String separator = "\\n".equals(option.splitRegex()) ? "\n" : ",";
                StringBuilder joined = new StringBuilder();
                v.forEach(e -> joined.append(joined.length() == 0 ? "" : separator).append(e.asText()));
                return joined.toString();
            }
            return v.asText();
        }
        return arg.defaultValue();
    }
}
