package dev.moat.execd;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a {@code Range} header asks of a file of a known size (RFC 9110 §14): the whole file, one range of it, or
 * nothing it has. {@code bytes=a-b}, {@code bytes=a-} and {@code bytes=-n} are served; a header in another unit or
 * with several ranges is ignored and the whole file is sent, as RFC 9110 allows; a {@code bytes} header that does not
 * parse is refused with 400 INVALID_RANGE rather than ignored, so that a client bug does not silently turn into a
 * download of the whole file.
 */
sealed interface ByteRange {

    /** No usable Range: send everything with 200. */
    record Whole(long size) implements ByteRange {}

    /** Send bytes {@code first..last} (inclusive) with 206. */
    record Part(long first, long last, long size) implements ByteRange {
        long length() {
            return last - first + 1;
        }

        String contentRange() {
            return "bytes " + first + "-" + last + "/" + size;
        }
    }

    /** The file has none of the requested bytes: 416. */
    record Unsatisfiable(long size) implements ByteRange {
        String contentRange() {
            return "bytes */" + size;
        }
    }

    static ByteRange of(Optional<String> header, long size) {
        if (header.isEmpty() || header.get().isBlank()) {
            return new Whole(size);
        }
        String value = header.get().trim();
        int equals = value.indexOf('=');
        if (equals < 0) {
            throw invalid(value, "expected bytes=FIRST-LAST, bytes=FIRST- or bytes=-SUFFIX");
        }
        if (!value.substring(0, equals).trim().equalsIgnoreCase("bytes")) {
            return new Whole(size);
        }
        List<String> specs = new ArrayList<>();
        for (String spec : value.substring(equals + 1).split(",", -1)) {
            if (!spec.isBlank()) {
                specs.add(spec.trim());
            }
        }
        if (specs.isEmpty()) {
            throw invalid(value, "no range after 'bytes='");
        }
        List<ByteRange> ranges = new ArrayList<>();
        for (String spec : specs) {
            ranges.add(one(spec, value, size));
        }
        return ranges.size() == 1 ? ranges.getFirst() : new Whole(size);
    }

    private static ByteRange one(String spec, String header, long size) {
        int dash = spec.indexOf('-');
        if (dash < 0) {
            throw invalid(header, "range '" + spec + "' has no '-'");
        }
        String first = spec.substring(0, dash).trim();
        String last = spec.substring(dash + 1).trim();
        if (first.isEmpty()) {
            long suffix = number(last, header);
            if (suffix == 0 || size == 0) {
                return new Unsatisfiable(size);
            }
            return new Part(Math.max(0, size - suffix), size - 1, size);
        }
        long from = number(first, header);
        long to = last.isEmpty() ? Long.MAX_VALUE : number(last, header);
        if (to < from) {
            throw invalid(header, "range '" + spec + "' ends before it starts");
        }
        if (from >= size) {
            return new Unsatisfiable(size);
        }
        return new Part(from, Math.min(to, size - 1), size);
    }

    private static long number(String digits, String header) {
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(header, "'" + digits + "' is not a byte position");
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // beyond any file: clamped to its end, or unsatisfiable
        }
    }

    private static dev.moat.http.ApiException invalid(String header, String why) {
        return ExecdError.INVALID_RANGE.exception("Range header '%s' is malformed: %s", header, why);
    }
}
