package dev.moat.execd;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format as execd writes it (unlabelled samples): every sample must follow its
 * own {@code # HELP} and {@code # TYPE} lines, names and types must be valid, values must be numbers. Anything else
 * fails the test with the offending line.
 */
final class PrometheusText {

    private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\\w+)");
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*) (\\S+)");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    private PrometheusText() {}

    /** The samples by metric name. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        Map<String, String> helped = new HashMap<>();
        Map<String, String> typed = new HashMap<>();
        if (!text.endsWith("\n")) {
            throw new AssertionError("the text must end with a line feed");
        }
        for (String line : text.split("\n")) {
            Matcher help = HELP.matcher(line);
            Matcher type = TYPE.matcher(line);
            Matcher sample = SAMPLE.matcher(line);
            if (help.matches()) {
                helped.put(help.group(1), help.group(2));
            } else if (type.matches()) {
                if (!TYPES.contains(type.group(2))) {
                    throw new AssertionError("unknown type in: " + line);
                }
                typed.put(type.group(1), type.group(2));
            } else if (sample.matches()) {
                String name = sample.group(1);
                if (!helped.containsKey(name) || !typed.containsKey(name)) {
                    throw new AssertionError("sample without HELP and TYPE lines before it: " + line);
                }
                if (typed.get(name).equals("counter") && !name.endsWith("_total")) {
                    throw new AssertionError("counter not named *_total: " + line);
                }
                samples.put(name, value(sample.group(2), line));
            } else {
                throw new AssertionError("not a line of the Prometheus text format: '" + line + "'");
            }
        }
        return samples;
    }

    private static double value(String text, String line) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new AssertionError("not a number in: " + line, e);
                }
            }
        };
    }
}
