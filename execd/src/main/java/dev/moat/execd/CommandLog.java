package dev.moat.execd;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The output of a background command: a file on disk that the command's stdout and stderr append to directly, read
 * by line cursor. Cursor {@code n} means "from line n on" (0-based, like a seek); each read answers the cursor to
 * continue from. While the command runs only complete lines are served, so a line is never cut in two between polls;
 * once it has finished, a last line without newline counts too.
 *
 * <p>To find line n without rereading the file, the log remembers the offset of every {@value #STRIDE}th line: memory
 * stays a few bytes per thousand lines however much the command prints.
 */
final class CommandLog {

    private static final int STRIDE = 1024;

    private final Path file;
    private final ReentrantLock lock = new ReentrantLock();
    private long[] strideOffsets = new long[16];
    private long scanned;
    private long completeLines;
    private long lastLineEnd;

    /** Bytes from {@code from} (inclusive) to {@code to} (exclusive), and the cursor that follows them. */
    record Slice(long from, long to, long nextCursor) {
        long length() {
            return to - from;
        }
    }

    CommandLog(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** The lines from {@code cursor} on; a cursor past the end gives nothing and the end cursor. */
    Slice read(long cursor, boolean finished) throws IOException {
        lock.lock();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            scan(channel, size);
            boolean partialLast = finished && lastLineEnd < size;
            long total = completeLines + (partialLast ? 1 : 0);
            long end = partialLast ? size : lastLineEnd;
            long from = cursor >= total ? end : offsetOfLine(channel, cursor);
            return new Slice(from, end, total);
        } finally {
            lock.unlock();
        }
    }

    /** Writes the bytes of the slice to {@code out}. */
    void copy(Slice slice, OutputStream out) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.transferTo(slice.from(), slice.length(), Channels.newChannel(out));
        }
    }

    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // the log directory is removed as a whole when execd stops; a leftover file is only disk space until then
        }
    }

    /** Counts the lines appended since the last scan and notes the offset of every STRIDEth one. */
    private void scan(FileChannel channel, long size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (scanned < size) {
            buffer.clear();
            int n = channel.read(buffer, scanned);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (buffer.get(i) == '\n') {
                    completeLines++;
                    lastLineEnd = scanned + i + 1;
                    if (completeLines % STRIDE == 0) {
                        remember(completeLines / STRIDE, lastLineEnd);
                    }
                }
            }
            scanned += n;
        }
    }

    private void remember(long stride, long offset) {
        if (stride >= strideOffsets.length) {
            strideOffsets = Arrays.copyOf(strideOffsets, strideOffsets.length * 2);
        }
        strideOffsets[(int) stride] = offset;
    }

    /** The offset where line {@code line} (below the scanned line count) starts. */
    private long offsetOfLine(FileChannel channel, long line) throws IOException {
        long offset = strideOffsets[(int) (line / STRIDE)];
        long toSkip = line % STRIDE;
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        while (toSkip > 0) {
            buffer.clear();
            int n = channel.read(buffer, offset);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i < n && toSkip > 0; i++) {
                if (buffer.get(i) == '\n') {
                    toSkip--;
                    if (toSkip == 0) {
                        return offset + i + 1;
                    }
                }
            }
            offset += n;
        }
        return offset;
    }
}
