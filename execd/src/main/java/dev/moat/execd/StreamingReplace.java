package dev.moat.execd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Replaces every occurrence of a byte string by another while copying a stream, left to right and without overlaps
 * (Go's {@code strings.ReplaceAll} on the UTF-8 bytes, which for valid UTF-8 is the same as on the text). Memory is a
 * few buffers whatever the size of the stream; matching is Knuth-Morris-Pratt, so linear in the input.
 */
final class StreamingReplace {

    private static final int BUFFER = 64 * 1024;

    private final byte[] pattern;
    private final byte[] replacement;
    private final int[] fallback;

    StreamingReplace(byte[] pattern, byte[] replacement) {
        if (pattern.length == 0) {
            throw new IllegalArgumentException("the text to replace must not be empty");
        }
        this.pattern = pattern.clone();
        this.replacement = replacement.clone();
        this.fallback = fallbackTable(this.pattern);
    }

    /** Copies {@code in} to {@code out} with the replacements made; answers how many were made. */
    long copy(InputStream in, OutputStream out) throws IOException {
        byte[] input = new byte[BUFFER];
        Output output = new Output(out);
        long count = 0;
        int matched = 0; // the last `matched` bytes read equal the pattern's first bytes and are not written yet
        int n;
        while ((n = in.read(input)) >= 0) {
            for (int i = 0; i < n; i++) {
                byte b = input[i];
                while (matched > 0 && b != pattern[matched]) {
                    int shorter = fallback[matched - 1];
                    output.write(pattern, 0, matched - shorter);
                    matched = shorter;
                }
                if (b == pattern[matched]) {
                    matched++;
                    if (matched == pattern.length) {
                        output.write(replacement, 0, replacement.length);
                        count++;
                        matched = 0;
                    }
                } else {
                    output.write(b);
                }
            }
        }
        output.write(pattern, 0, matched);
        output.flush();
        return count;
    }

    /** For each prefix length - 1, the length of the longest proper prefix of the pattern that is also its suffix. */
    private static int[] fallbackTable(byte[] pattern) {
        int[] table = new int[pattern.length];
        int length = 0;
        for (int i = 1; i < pattern.length; i++) {
            while (length > 0 && pattern[i] != pattern[length]) {
                length = table[length - 1];
            }
            if (pattern[i] == pattern[length]) {
                length++;
            }
            table[i] = length;
        }
        return table;
    }

    /** A plain buffer in front of the output: byte-by-byte writes must not each cost a call into the stream. */
    private static final class Output {
        private final OutputStream out;
        private final byte[] buffer = new byte[BUFFER];
        private int size;

        Output(OutputStream out) {
            this.out = out;
        }

        void write(byte b) throws IOException {
            if (size == buffer.length) {
                flush();
            }
            buffer[size++] = b;
        }

        void write(byte[] bytes, int offset, int length) throws IOException {
            if (length > buffer.length - size) {
                flush();
                if (length > buffer.length) {
                    out.write(bytes, offset, length);
                    return;
                }
            }
            System.arraycopy(bytes, offset, buffer, size, length);
            size += length;
        }

        void flush() throws IOException {
            out.write(buffer, 0, size);
            size = 0;
        }
    }
}
