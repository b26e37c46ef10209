package dev.moat.builder;

import dev.moat.core.spi.SandboxException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The files of an image archive to import, by their path inside it: a tar file ({@code docker save} output, an OCI
 * layout packed with tar, either possibly gzip-compressed) or a directory holding an OCI layout. Paths come from the
 * archive's own JSON, which is untrusted, so a path that would leave the archive is never opened.
 */
sealed interface ImageArchive extends AutoCloseable {

    int MAX_SMALL_FILE = 16 << 20;

    /** The file at {@code path} inside the archive, if there is one. */
    Optional<InputStream> open(String path) throws IOException;

    /** Whether the archive has a file at {@code path}. */
    boolean has(String path);

    @Override
    void close() throws IOException;

    /** The whole of a small file (JSON) at {@code path}; a missing or oversized one fails naming {@code what}. */
    default byte[] readSmall(String path, String what) throws IOException {
        Optional<InputStream> in = open(path);
        if (in.isEmpty()) {
            throw new SandboxException(SandboxException.Kind.INVALID_SPEC, "the archive lacks " + what);
        }
        try (InputStream stream = in.get()) {
            byte[] bytes = stream.readNBytes(MAX_SMALL_FILE + 1);
            if (bytes.length > MAX_SMALL_FILE) {
                throw new SandboxException(
                        SandboxException.Kind.INVALID_SPEC, what + " is larger than " + (MAX_SMALL_FILE >> 20) + " MB");
            }
            return bytes;
        }
    }

    /** Opens {@code source}: a directory, or a tar file that may be gzip-compressed. */
    static ImageArchive open(Path source) throws IOException {
        if (Files.isDirectory(source)) {
            return new Directory(source);
        }
        if (!Files.isRegularFile(source)) {
            throw new SandboxException(SandboxException.Kind.INVALID_SPEC, "there is no file " + source + " to import");
        }
        Path tar = source;
        Optional<Path> temporary = Optional.empty();
        if (Compression.of(source) == Compression.GZIP) {
            tar = Files.createTempFile("moat-import-", ".tar");
            temporary = Optional.of(tar);
            try (InputStream in =
                    new GzipCompressorInputStream(new BufferedInputStream(Files.newInputStream(source)), true)) {
                Files.copy(in, tar, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tar);
                throw e;
            }
        }
        try {
            if (!looksLikeTar(tar)) {
                throw new IOException("no tar header at its start");
            }
            return new Tar(new TarFile(tar), temporary);
        } catch (IOException e) {
            if (temporary.isPresent()) {
                Files.deleteIfExists(temporary.get());
            }
            throw new SandboxException(
                    SandboxException.Kind.INVALID_SPEC,
                    source + " is neither a tar archive nor a directory (" + e.getMessage() + ")",
                    e);
        }
    }

    /** A POSIX tar starts with a header whose magic at offset 257 is "ustar"; an empty one starts with zeros. */
    private static boolean looksLikeTar(Path file) throws IOException {
        byte[] header;
        try (InputStream in = Files.newInputStream(file)) {
            header = in.readNBytes(512);
        }
        if (header.length < 512) {
            return false;
        }
        String magic = new String(header, 257, 5, StandardCharsets.US_ASCII);
        boolean zeros = true;
        for (byte b : header) {
            zeros &= b == 0;
        }
        return magic.equals("ustar") || zeros;
    }

    /** {@code path} without a leading {@code ./}, or empty if it is absolute or climbs out with {@code ..}. */
    static Optional<String> clean(String path) {
        String cleaned = path;
        while (cleaned.startsWith("./")) {
            cleaned = cleaned.substring(2);
        }
        if (cleaned.isEmpty()
                || cleaned.startsWith("/")
                || List.of(cleaned.split("/")).contains("..")) {
            return Optional.empty();
        }
        return Optional.of(cleaned);
    }

    /** A tar file, read by random access; a temporary unpacked copy of a compressed one is deleted on close. */
    final class Tar implements ImageArchive {
        private final TarFile tar;
        private final Optional<Path> temporary;
        private final Map<String, TarArchiveEntry> entries = new HashMap<>();

        Tar(TarFile tar, Optional<Path> temporary) {
            this.tar = tar;
            this.temporary = temporary;
            for (TarArchiveEntry entry : tar.getEntries()) {
                if (entry.isFile()) {
                    clean(entry.getName()).ifPresent(name -> entries.put(name, entry));
                }
            }
        }

        @Override
        public Optional<InputStream> open(String path) throws IOException {
            TarArchiveEntry entry = clean(path).map(entries::get).orElse(null);
            return entry == null ? Optional.empty() : Optional.of(tar.getInputStream(entry));
        }

        @Override
        public boolean has(String path) {
            return clean(path).map(entries::containsKey).orElse(false);
        }

        @Override
        public void close() throws IOException {
            try {
                tar.close();
            } finally {
                if (temporary.isPresent()) {
                    Files.deleteIfExists(temporary.get());
                }
            }
        }
    }

    /** An unpacked archive: files below a directory; symbolic links are not followed. */
    final class Directory implements ImageArchive {
        private final Path root;

        Directory(Path root) {
            this.root = root;
        }

        @Override
        public Optional<InputStream> open(String path) throws IOException {
            return has(path)
                    ? Optional.of(
                            Files.newInputStream(root.resolve(clean(path).orElseThrow()), LinkOption.NOFOLLOW_LINKS))
                    : Optional.empty();
        }

        @Override
        public boolean has(String path) {
            return clean(path)
                    .map(root::resolve)
                    .filter(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
                    .isPresent();
        }

        @Override
        public void close() {}
    }
}
