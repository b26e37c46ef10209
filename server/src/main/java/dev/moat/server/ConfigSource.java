package dev.moat.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Raw configuration values from, in rising precedence: a {@code --config FILE}, {@code .env} in the working directory,
 * and the environment. Files are {@code KEY=VALUE} lines; blank lines and {@code #} comments are skipped, an
 * {@code export } prefix and matching quotes around the value are removed.
 */
public final class ConfigSource {

    private final Map<String, String> values;
    private final Map<String, String> origins;

    private ConfigSource(Map<String, String> values, Map<String, String> origins) {
        this.values = values;
        this.origins = origins;
    }

    /** Reads {@code configFile} (when given), then {@code dotEnv} (when it exists), then {@code environment}. */
    public static ConfigSource load(Optional<Path> configFile, Path dotEnv, Map<String, String> environment) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        if (configFile.isPresent()) {
            if (!Files.isRegularFile(configFile.get())) {
                throw new ConfigException("--config " + configFile.get() + ": no such file");
            }
            readFile(configFile.get(), values, origins);
        }
        if (Files.isRegularFile(dotEnv)) {
            readFile(dotEnv, values, origins);
        }
        for (Setting setting : Setting.values()) {
            String value = environment.get(setting.name());
            if (value != null) {
                values.put(setting.name(), value);
                origins.put(setting.name(), "the environment");
            }
        }
        return new ConfigSource(values, origins);
    }

    public static ConfigSource of(Map<String, String> values) {
        Map<String, String> origins = new LinkedHashMap<>();
        values.keySet().forEach(key -> origins.put(key, "the settings"));
        return new ConfigSource(new LinkedHashMap<>(values), origins);
    }

    private static void readFile(Path file, Map<String, String> values, Map<String, String> origins) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        for (int number = 1; number <= lines.size(); number++) {
            String line = lines.get(number - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).strip();
            }
            int equals = line.indexOf('=');
            if (equals <= 0) {
                throw new ConfigException(file + " line " + number + ": expected KEY=VALUE, got '" + line + "'");
            }
            String key = line.substring(0, equals).strip();
            values.put(key, unquote(line.substring(equals + 1).strip()));
            origins.put(key, file + " line " + number);
        }
    }

    private static String unquote(String value) {
        if (value.length() >= 2
                && ((value.startsWith("\"") && value.endsWith("\""))
                        || (value.startsWith("'") && value.endsWith("'")))) {
            return value.substring(1, value.length() - 1);
        }
        int comment = value.indexOf(" #");
        return comment >= 0 ? value.substring(0, comment).strip() : value;
    }

    /** The value of a setting, or its default. */
    public String get(Setting setting) {
        return values.getOrDefault(setting.name(), setting.defaultValue());
    }

    /** Where a setting's value came from, for error messages. */
    public String origin(Setting setting) {
        return origins.getOrDefault(setting.name(), "the default");
    }

    /** Every raw key and value read, for backend-specific settings. */
    public Map<String, String> all() {
        Map<String, String> all = new LinkedHashMap<>();
        for (Setting setting : Setting.values()) {
            all.put(setting.name(), get(setting));
        }
        all.putAll(values);
        return all;
    }
}
