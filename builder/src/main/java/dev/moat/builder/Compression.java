package dev.moat.builder;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/** How a layer or archive is compressed, told by its first bytes rather than by a media type it may lie about. */
enum Compression {
    NONE,
    GZIP,
    ZSTD;

    static Compression of(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return of(in.readNBytes(4));
        }
    }

    /** Looks at the next bytes of {@code in} without consuming them. */
    static Compression peek(BufferedInputStream in) throws IOException {
        in.mark(4);
        byte[] head = in.readNBytes(4);
        in.reset();
        return of(head);
    }

    /** {@code in}, decompressed; zstd is refused (commons-compress needs a native library for it). */
    static InputStream decompress(BufferedInputStream in, String what) throws IOException {
        return switch (peek(in)) {
            case NONE -> in;
            case GZIP -> new GzipCompressorInputStream(in, true);
            case ZSTD ->
                throw new IOException(what + " is zstd-compressed, which Moat cannot read yet; "
                        + "save the image with gzip or uncompressed layers (docker save, or skopeo copy)");
        };
    }

    private static Compression of(byte[] head) {
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return GZIP;
        }
        if (head.length >= 4
                && (head[0] & 0xff) == 0x28
                && (head[1] & 0xff) == 0xb5
                && (head[2] & 0xff) == 0x2f
                && (head[3] & 0xff) == 0xfd) {
            return ZSTD;
        }
        return NONE;
    }
}
