package dev.moat.http;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A route path such as {@code /code/contexts/{id}} or {@code /proxy/{port}/**}: literal segments, named segments in
 * braces, and an optional trailing {@code **} that matches the rest of the path (also nothing).
 */
record PathTemplate(String pattern, List<String> segments, boolean wildcard) {

    static PathTemplate parse(String pattern) {
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("path template must start with '/': " + pattern);
        }
        List<String> parts = split(pattern);
        boolean wildcard = !parts.isEmpty() && parts.getLast().equals("**");
        if (wildcard) {
            parts = parts.subList(0, parts.size() - 1);
        }
        return new PathTemplate(pattern, List.copyOf(parts), wildcard);
    }

    /** The path parameters when {@code path} matches, else empty. */
    Optional<Map<String, String>> match(String path) {
        List<String> parts = split(path);
        if (parts.size() < segments.size() || (!wildcard && parts.size() != segments.size())) {
            return Optional.empty();
        }
        Map<String, String> parameters = new HashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String segment = segments.get(i);
            String part = parts.get(i);
            if (segment.startsWith("{") && segment.endsWith("}")) {
                parameters.put(segment.substring(1, segment.length() - 1), part);
            } else if (!segment.equals(part)) {
                return Optional.empty();
            }
        }
        if (wildcard) {
            parameters.put("**", String.join("/", parts.subList(segments.size(), parts.size())));
        }
        return Optional.of(parameters);
    }

    private static List<String> split(String path) {
        return java.util.Arrays.stream(path.split("/"))
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
