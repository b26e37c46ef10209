package dev.moat.backend.oci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Where sandbox bundles (and the start-up probe's) live. A sandbox in a user namespace sets up its root as its mapped
 * root, an unprivileged host uid, which must be able to search every directory above its bundle. {@code MOAT_HOME} is
 * used when it allows that; a private one — root's default {@code ~/.moat} is under {@code /root}, mode 700 — would
 * silently cost every sandbox its user namespace, so its bundles go to {@code /var/lib/moat/bundles/<hash of the
 * home>} instead, the same place for the same home at every start (a restarted server finds what it left).
 */
record BundleRoot(Path directory, Optional<String> relocation) {

    static final Path FALLBACK = Path.of("/var/lib/moat/bundles");

    /** The bundle root for {@code home}: the home itself, or its place under {@code fallback} when it is private. */
    static BundleRoot choose(Path home, Path fallback) throws IOException {
        Path absolute = home.toAbsolutePath().normalize();
        Optional<Path> closed = firstClosed(absolute);
        if (closed.isEmpty()) {
            return new BundleRoot(absolute, Optional.empty());
        }
        Path relocated = fallback.resolve(hash(absolute));
        Files.createDirectories(relocated);
        for (Path directory = relocated;
                directory.startsWith(fallback.getParent());
                directory = directory.getParent()) {
            addSearchForOthers(directory);
        }
        return new BundleRoot(
                relocated,
                Optional.of("sandbox bundles in " + relocated + ", because " + closed.get()
                        + " does not let other users search it and a sandbox's mapped root must reach its bundle"));
    }

    /** The first directory from {@code path} up to {@code /} that others cannot search, if any. */
    static Optional<Path> firstClosed(Path path) throws IOException {
        for (Path directory = path; directory != null; directory = directory.getParent()) {
            if (Files.isDirectory(directory)
                    && !Files.getPosixFilePermissions(directory).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return Optional.of(directory);
            }
        }
        return Optional.empty();
    }

    private static void addSearchForOthers(Path directory) throws IOException {
        var permissions = Files.getPosixFilePermissions(directory);
        if (permissions.add(PosixFilePermission.OTHERS_EXECUTE)) {
            Files.setPosixFilePermissions(directory, permissions);
        }
    }

    private static String hash(Path home) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256").digest(home.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
