package dev.moat.backend.oci;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Deleting a sandbox's directories without ever following a link or crossing into a mounted file system. */
final class Directories {

    private Directories() {}

    /**
     * Deletes {@code directory} and everything in it. Refuses (with an IOException) when something below it is still
     * mounted, so that a failed unmount can never turn into deleting an image or a workspace through the mount.
     */
    static void delete(Path directory) throws IOException {
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        var mounted = LinuxMounts.mountsUnder(directory);
        if (!mounted.isEmpty()) {
            throw new IOException("not deleting " + directory + ": still mounted: " + mounted);
        }
        Files.walkFileTree(directory, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** {@link #delete} for scratch directories whose removal may fail without consequence. */
    static void deleteQuietly(Path directory) {
        try {
            delete(directory);
        } catch (IOException e) {
            // scratch space only: a leftover is harmless and reported by the next delete
        }
    }
}
