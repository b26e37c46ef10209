package dev.moat.execd;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Variables added to the sandbox after execd started ({@code POST /moat/environment}, sent by the server when it hands
 * a warm sandbox to a request with its own env). Every command, session and kernel started afterwards gets them over
 * execd's own environment; a request's own {@code envs} still win.
 */
final class AddedEnvironment {

    private volatile Map<String, String> variables = Map.of();

    /** The variables added so far; an immutable snapshot. */
    Map<String, String> variables() {
        return variables;
    }

    /** Adds (or replaces) variables; returns the new snapshot. */
    synchronized Map<String, String> add(Map<String, String> more) {
        Map<String, String> merged = new LinkedHashMap<>(variables);
        merged.putAll(more);
        variables = Map.copyOf(merged);
        return variables;
    }
}
