package dev.moat.execd;

import dev.moat.http.Exchange;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.Blocker;

/**
 * {@code GET /files/download?path=}: the file as {@code application/octet-stream} with {@code Content-Length},
 * {@code Content-Disposition: attachment} and {@code Last-Modified}, or one part of it for a {@code Range} header
 * ({@link ByteRange}). The content goes from the file into pooled direct buffers and out, one buffer at a time, so a
 * download of any size needs the same small memory. Links are followed; a directory or another non-regular file (a
 * FIFO would block, a device never end) is refused with 400. With {@code offset} or {@code limit} the answer is lines
 * instead of bytes, as OpenSandbox's SDKs ask for ({@link LineDownload}).
 */
final class RangeDownload {

    private static final int CHUNK = 64 * 1024;

    private final PathResolver paths;

    RangeDownload(PathResolver paths) {
        this.paths = paths;
    }

    void download(Exchange exchange) throws IOException {
        Path path = paths.resolve(exchange.requireQuery("path"));
        if (exchange.query("offset").isPresent() || exchange.query("limit").isPresent()) {
            LineDownload.send(exchange, path);
            return;
        }
        BasicFileAttributes attributes = regularFile(path);
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = file.size();
            ByteRange range = ByteRange.of(exchange.header("Range"), size);
            long first = 0;
            long length = size;
            switch (range) {
                case ByteRange.Whole _ -> exchange.response().setStatus(200);
                case ByteRange.Part part -> {
                    exchange.response().setStatus(206);
                    exchange.header("Content-Range", part.contentRange());
                    first = part.first();
                    length = part.length();
                }
                case ByteRange.Unsatisfiable unsatisfiable ->
                    throw ExecdError.RANGE_NOT_SATISFIABLE
                            .exception("%s has %d bytes; the requested range is beyond them", path, size)
                            .withHeader("Content-Range", unsatisfiable.contentRange());
            }
            exchange.header("Content-Type", "application/octet-stream");
            exchange.header("Content-Length", Long.toString(length));
            exchange.header(
                    "Content-Disposition", contentDisposition(path.getFileName().toString()));
            exchange.header("Accept-Ranges", "bytes");
            exchange.header(
                    "Last-Modified",
                    DateTimeFormatter.RFC_1123_DATE_TIME.format(
                            attributes.lastModifiedTime().toInstant().atOffset(ZoneOffset.UTC)));
            copy(exchange, file, first, length);
        } catch (IOException e) {
            if (exchange.committed()) {
                throw e; // the client went away, or the file shrank under us: nothing more can be said
            }
            throw FileFailures.of(e, path);
        }
    }

    /** The attributes of {@code path}, which must be a regular file (after following links). */
    static BasicFileAttributes regularFile(Path path) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            throw FileFailures.of(e, path);
        }
        if (attributes.isDirectory()) {
            throw ExecdError.INVALID_FILE.exception("%s is a directory; only files can be downloaded", path);
        }
        if (!attributes.isRegularFile()) {
            throw ExecdError.INVALID_FILE.exception(
                    "%s is not a regular file (a device, FIFO or socket); only files can be downloaded", path);
        }
        return attributes;
    }

    private static void copy(Exchange exchange, FileChannel file, long first, long length) throws IOException {
        RetainableByteBuffer pooled =
                exchange.request().getComponents().getByteBufferPool().acquire(CHUNK, true);
        try {
            ByteBuffer buffer = pooled.getByteBuffer();
            long position = first;
            long end = first + length;
            while (position < end) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
                int read = file.read(buffer, position);
                if (read < 0) {
                    throw new IOException("the file got shorter while it was sent");
                }
                position += read;
                buffer.flip();
                try (Blocker.Callback written = Blocker.callback()) {
                    exchange.response().write(false, buffer, written);
                    written.block();
                }
            }
        } finally {
            pooled.release();
        }
    }

    /** {@code attachment; filename="…"}, with an RFC 8187 {@code filename*} when the name is not plain ASCII. */
    static String contentDisposition(String name) {
        StringBuilder ascii = new StringBuilder();
        boolean plain = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c >= 0x7f) {
                ascii.append('_');
                plain = false;
            } else if (c == '"' || c == '\\') {
                ascii.append('\\').append(c);
            } else {
                ascii.append(c);
            }
        }
        String header = "attachment; filename=\"" + ascii + "\"";
        if (plain) {
            return header;
        }
        String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8)
                .replace("+", "%20")
                .replace("*", "%2A");
        return header + "; filename*=UTF-8''" + encoded;
    }
}
