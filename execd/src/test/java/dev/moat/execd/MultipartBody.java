package dev.moat.execd;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * A multipart/form-data body for upload tests, written byte for byte as the OpenSandbox SDKs write theirs (a
 * {@code metadata} part with a file name and {@code application/json}, then a {@code file} part); {@link #close} adds
 * the closing delimiter. File content can come
 * from disk, so a large body streams instead of sitting in memory.
 */
final class MultipartBody {

    static final String BOUNDARY = "moat-test-2f9c51e0";

    private final List<Supplier<InputStream>> segments = new ArrayList<>();

    String contentType() {
        return "multipart/form-data; boundary=" + BOUNDARY;
    }

    MultipartBody metadata(String json) {
        return part("form-data; name=\"metadata\"; filename=\"metadata\"", "application/json", text(json));
    }

    MultipartBody file(String content) {
        return file(content.getBytes(StandardCharsets.UTF_8));
    }

    MultipartBody file(byte[] content) {
        return part(
                "form-data; name=\"file\"; filename=\"blob\"",
                "application/octet-stream",
                () -> new ByteArrayInputStream(content));
    }

    MultipartBody file(Path source) {
        return part(
                "form-data; name=\"file\"; filename=\"" + source.getFileName() + "\"",
                "application/octet-stream",
                () -> {
                    try {
                        return Files.newInputStream(source);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    /** A part with any name and disposition, for the malformed and unusual cases. */
    MultipartBody part(String disposition, String contentType, Supplier<InputStream> content) {
        raw("--" + BOUNDARY + "\r\nContent-Disposition: " + disposition + "\r\nContent-Type: " + contentType
                + "\r\n\r\n");
        segments.add(content);
        return raw("\r\n");
    }

    /** Bytes as they are, to build bodies that break the format. */
    MultipartBody raw(String text) {
        segments.add(text(text));
        return this;
    }

    /** Ends the body with the closing delimiter. */
    MultipartBody close() {
        return raw("--" + BOUNDARY + "--\r\n");
    }

    /** The body exactly as built: without {@link #close} it has no closing delimiter. */
    InputStream stream() {
        return new SequenceInputStream(
                Collections.enumeration(segments.stream().map(Supplier::get).toList()));
    }

    byte[] bytes() throws IOException {
        try (InputStream in = stream()) {
            return in.readAllBytes();
        }
    }

    private static Supplier<InputStream> text(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return () -> new ByteArrayInputStream(bytes);
    }
}
