package dev.moat.execd;

import dev.moat.http.ApiError;
import java.util.Optional;

/**
 * Permission bits as the execd API writes them: the octal digits read as a decimal number, so {@code 755} means
 * {@code 0755} and {@code 4755} means setuid plus {@code 0755}. A digit 8 or 9, or more than four digits, is refused.
 */
record OctalMode(int bits) {

    static final OctalMode DEFAULT = new OctalMode(0755);

    OctalMode {
        if ((bits & ~07777) != 0) {
            throw new IllegalArgumentException("not permission bits: " + Integer.toOctalString(bits));
        }
    }

    /**
     * The mode that {@code digits} stands for; empty when absent or 0, which OpenSandbox's execd reads as "leave the
     * mode as it is".
     */
    static Optional<OctalMode> parse(Integer digits, ApiError invalid, String subject) {
        if (digits == null || digits == 0) {
            return Optional.empty();
        }
        String text = Integer.toString(digits);
        if (digits < 0 || text.length() > 4 || !text.chars().allMatch(c -> c >= '0' && c <= '7')) {
            throw invalid.exception(
                    "mode %d of %s is not a permission in octal digits (such as 644 or 755): each digit must be 0-7, "
                            + "at most four digits",
                    digits, subject);
        }
        return Optional.of(new OctalMode(Integer.parseInt(text, 8)));
    }

    /** The mode of a file from its {@code st_mode}, written as the API writes it (0755 → 755). */
    static int digitsOf(int stMode) {
        return Integer.parseInt(Integer.toOctalString(stMode & 07777));
    }
}
