package dev.moat.server;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.moat.http.Json;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Typed reading of settings; every failure names the key, the value and where it came from. */
final class ConfigValues {

    private final ConfigSource source;

    ConfigValues(ConfigSource source) {
        this.source = source;
    }

    String string(Setting setting) {
        return source.get(setting).strip();
    }

    boolean bool(Setting setting) {
        return switch (string(setting).toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off", "" -> false;
            default -> throw invalid(setting, "expected True or False");
        };
    }

    int integer(Setting setting, int min, int max) {
        try {
            int value = Integer.parseInt(string(setting));
            if (value < min || value > max) {
                throw invalid(setting, "expected a whole number from " + min + " to " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw invalid(setting, "expected a whole number");
        }
    }

    Path path(Setting setting) {
        String value = string(setting);
        if (value.isEmpty()) {
            throw invalid(setting, "expected a path");
        }
        if (value.equals("~") || value.startsWith("~/")) {
            value = System.getProperty("user.home") + value.substring(1);
        }
        return Path.of(value).toAbsolutePath().normalize();
    }

    /** {@code base}, {@code base,gui} or {@code ["base","gui"]}. */
    List<String> names(Setting setting) {
        String value = string(setting);
        if (value.isEmpty()) {
            return List.of();
        }
        if (value.startsWith("[")) {
            try {
                return Json.mapper().readValue(value, new TypeReference<List<String>>() {}).stream()
                        .map(String::strip)
                        .toList();
            } catch (Exception e) {
                throw invalid(setting, "expected a JSON list of names like [\"base\",\"gui\"]");
            }
        }
        return Arrays.stream(value.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** A JSON object of string to string, e.g. {@code {"/srv/data": "/data"}}. */
    Map<String, String> jsonMap(Setting setting) {
        String value = string(setting);
        if (value.isEmpty()) {
            return Map.of();
        }
        try {
            return Json.mapper().readValue(value, new TypeReference<Map<String, String>>() {});
        } catch (Exception e) {
            throw invalid(setting, "expected a JSON object like {\"/srv/data\": \"/data\"}");
        }
    }

    /** {@code [low,high]}. */
    int[] range(Setting setting) {
        try {
            int[] range = Json.mapper().readValue(string(setting), int[].class);
            if (range.length != 2 || range[0] < 1 || range[1] > 65535 || range[0] > range[1]) {
                throw invalid(setting, "expected [low,high] with 1 <= low <= high <= 65535");
            }
            return range;
        } catch (ConfigException e) {
            throw e;
        } catch (Exception e) {
            throw invalid(setting, "expected [low,high] with 1 <= low <= high <= 65535");
        }
    }

    ConfigException invalid(Setting setting, String expectation) {
        return new ConfigException(setting.name() + "='" + source.get(setting) + "' (from " + source.origin(setting)
                + ") is not valid: " + expectation);
    }
}
