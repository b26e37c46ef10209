package dev.moat.sdk;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** RFC 3339 times as the two APIs write them; a time without an offset is read as UTC, as some servers send it. */
final class Times {

    private Times() {}

    static Instant parse(String value, String what) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException withOffset) {
            try {
                return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException withoutOffset) {
                throw new IllegalArgumentException(what + " is not an RFC 3339 time: \"" + value + "\"");
            }
        }
    }

    /** RFC 3339 in UTC, e.g. {@code 2030-01-01T00:00:00Z}. */
    static String format(Instant instant) {
        return instant.toString();
    }
}
