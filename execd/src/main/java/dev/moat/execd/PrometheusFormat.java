package dev.moat.execd;

import java.util.regex.Pattern;

/**
 * Writes metrics in the Prometheus text exposition format 0.0.4: for each metric a {@code # HELP} and a {@code # TYPE}
 * line, then its sample. Only unlabelled gauges and counters, which is all execd exposes.
 */
final class PrometheusFormat {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private final StringBuilder text = new StringBuilder();

    PrometheusFormat gauge(String name, String help, double value) {
        return metric(name, "gauge", help, value);
    }

    /** A counter; by convention its name ends with {@code _total}. */
    PrometheusFormat counter(String name, String help, double value) {
        if (!name.endsWith("_total")) {
            throw new IllegalArgumentException("counter name must end with _total: " + name);
        }
        return metric(name, "counter", help, value);
    }

    private PrometheusFormat metric(String name, String type, String help, double value) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a Prometheus metric name: " + name);
        }
        text.append("# HELP ").append(name).append(' ').append(escape(help)).append('\n');
        text.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        text.append(name).append(' ').append(number(value)).append('\n');
        return this;
    }

    String text() {
        return text.toString();
    }

    private static String escape(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    static String number(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
