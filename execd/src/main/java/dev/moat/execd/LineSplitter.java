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
     * How far past the limit a line may grow before it is cut. A short marker that ends a line (as bash sessions
     * print) is therefore never split by a cut: if it began before the limit, its newline arrives before the cut.
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
        int cut = MAX_LINE_BYTES;
        // back up to the start of a UTF-8 character so that no character is split between two pieces
        while (cut > MAX_LINE_BYTES - 4 && (pending[cut] & 0xC0) == 0x80) {
            cut--;
        }
        lines.accept(new String(pending, 0, cut, StandardCharsets.UTF_8));
        System.arraycopy(pending, cut, pending, 0, length - cut);
        length -= cut;
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
        lines.accept(new String(bytes, offset, count, StandardCharsets.UTF_8));
    }
}
