package dev.moat.execd;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into lines without their newline ({@code \n} or {@code \r\n}), decoded as UTF-8 with undecodable
 * bytes replaced. A line longer than {@link #MAX_LINE_BYTES} is passed on in pieces of that size (cut between
 * characters), so one endless line cannot exhaust memory; {@link #finish} passes on a last line without newline.
 * Not thread-safe: one reader feeds it.
 */
final class LineSplitter {

    static final int MAX_LINE_BYTES = 64 * 1024;

    /**
     * The least a cut leaves of a line. A short marker that ends a line (as bash sessions print) is therefore never
     * split by a cut: while a line is incomplete it is cut only once it is this far past the limit, so a marker that
     * began before the limit has reached its newline by then; a complete line always ends in a piece this long.
     */
    private static final int MARGIN = 256;

    private final Consumer<String> lines;
    private byte[] pending = new byte[256];
    private int length;

    LineSplitter(Consumer<String> lines) {
        this.lines = lines;
    }

    void accept(byte[] bytes, int offset, int count) {
        int end = offset + count;
        int start = offset;
        for (int i = offset; i < end; i++) {
            if (bytes[i] == '\n') {
                if (length == 0) {
                    emit(bytes, start, i - start);
                } else {
                    append(bytes, start, i - start);
                    emit(pending, 0, length);
                    length = 0;
                }
                start = i + 1;
            }
        }
        if (start < end) {
            append(bytes, start, end - start);
            while (length >= MAX_LINE_BYTES + MARGIN) {
                cutLongLine();
            }
        }
    }

    /** Passes on what is left: the last line, when the stream did not end with a newline. */
    void finish() {
        if (length > 0) {
            emit(pending, 0, length);
            length = 0;
        }
    }

    private void cutLongLine() {
        int cut = cutPoint(pending, 0, length);
        lines.accept(new String(pending, 0, cut, StandardCharsets.UTF_8));
        System.arraycopy(pending, cut, pending, 0, length - cut);
        length -= cut;
    }

    /**
     * Where to cut a piece off a line of {@code count} bytes that is over the limit: at the limit, but never so close
     * to the end that fewer than {@link #MARGIN} bytes remain, and never inside a UTF-8 character.
     */
    private static int cutPoint(byte[] bytes, int offset, int count) {
        int cut = count - MAX_LINE_BYTES >= MARGIN ? MAX_LINE_BYTES : count - MARGIN;
        int limit = cut - 3;
        while (cut > limit && (bytes[offset + cut] & 0xC0) == 0x80) {
            cut--;
        }
        return cut;
    }

    private void append(byte[] bytes, int offset, int count) {
        if (length + count > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, length + count));
        }
        System.arraycopy(bytes, offset, pending, length, count);
        length += count;
    }

    private void emit(byte[] bytes, int offset, int count) {
        if (count > 0 && bytes[offset + count - 1] == '\r') {
            count--;
        }
        while (count > MAX_LINE_BYTES) {
            int cut = cutPoint(bytes, offset, count);
            lines.accept(new String(bytes, offset, cut, StandardCharsets.UTF_8));
            offset += cut;
            count -= cut;
        }
        lines.accept(new String(bytes, offset, count, StandardCharsets.UTF_8));
    }
}
