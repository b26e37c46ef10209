package dev.moat.execd;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Cuts the text of one output stream into lines as it arrives in chunks: complete lines come out without their
 * newline ({@code \n} or {@code \r\n}); the unfinished rest waits for more, or for {@link #flush}.
 */
final class StreamLines {

    private final StringBuilder partial = new StringBuilder();
    private long partialSince;

    /** The lines that {@code text} completes. */
    List<String> accept(String text, long nowNanos) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        int newline;
        while ((newline = text.indexOf('\n', start)) >= 0) {
            partial.append(text, start, newline);
            int end = partial.length();
            if (end > 0 && partial.charAt(end - 1) == '\r') {
                partial.setLength(end - 1);
            }
            lines.add(partial.toString());
            partial.setLength(0);
            start = newline + 1;
        }
        if (start < text.length()) {
            if (partial.isEmpty()) {
                partialSince = nowNanos;
            }
            partial.append(text, start, text.length());
        }
        return lines;
    }

    /** The unfinished line, if there is one; it is handed out once. */
    Optional<String> flush() {
        if (partial.isEmpty()) {
            return Optional.empty();
        }
        String rest = partial.toString();
        partial.setLength(0);
        return Optional.of(rest);
    }

    /** Whether an unfinished line has waited at least {@code ageNanos}. */
    boolean partialOlderThan(long ageNanos, long nowNanos) {
        return !partial.isEmpty() && nowNanos - partialSince >= ageNanos;
    }
}
