package dev.moat.sdk;

import java.util.OptionalLong;

/**
 * A range of bytes of a file to download: from {@code offset}, {@code length} bytes or to the end.
 *
 * @param offset the first byte, from 0
 * @param length how many bytes; empty for "to the end"
 */
public record ByteRange(long offset, OptionalLong length) {

    public ByteRange {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, got " + offset);
        }
        if (length.isPresent() && length.getAsLong() < 1) {
            throw new IllegalArgumentException("length must be at least 1, got " + length.getAsLong());
        }
    }

    public static ByteRange of(long offset, long length) {
        return new ByteRange(offset, OptionalLong.of(length));
    }

    public static ByteRange from(long offset) {
        return new ByteRange(offset, OptionalLong.empty());
    }

    /** The HTTP {@code Range} header value, e.g. {@code bytes=0-1023}. */
    String header() {
        return "bytes=" + offset + "-" + (length.isPresent() ? Long.toString(offset + length.getAsLong() - 1) : "");
    }
}
