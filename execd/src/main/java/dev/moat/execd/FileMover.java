package dev.moat.execd;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * One move of {@code POST /files/mv}: a file, link or directory to a new name. The destination's directory must exist
 * (404 otherwise) and the destination itself must not (409: nothing is overwritten). A move within one file system is
 * a rename; a directory moved to another file system (say from {@code /tmp} to {@code /workspace}) is copied with its
 * attributes and then removed, and a copy that fails half way is removed again.
 */
final class FileMover {

    private FileMover() {}

    static void move(Path source, Path target) {
        if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
            throw ExecdError.FILE_NOT_FOUND.exception("source %s does not exist", source);
        }
        Path directory = target.getParent();
        if (directory == null) {
            throw ExecdError.CONFLICT.exception("cannot move %s onto /", source);
        }
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            throw ExecdError.FILE_NOT_FOUND.exception(
                    "destination directory %s does not exist; create it first with POST /directories", directory);
        }
        if (!Files.isDirectory(directory)) {
            throw ExecdError.CONFLICT.exception("cannot move to %s: %s is not a directory", target, directory);
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw ExecdError.CONFLICT.exception(
                    "destination %s already exists; delete it first or choose another name", target);
        }
        boolean isDirectory = Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS);
        if (isDirectory && target.startsWith(source)) {
            throw ExecdError.CONFLICT.exception("cannot move directory %s into itself (%s)", source, target);
        }
        try {
            if (isDirectory && !sameDevice(source, directory)) {
                copyTree(source, target);
                RecursiveDelete.delete(source);
            } else {
                Files.move(source, target);
            }
        } catch (IOException e) {
            throw FileFailures.of(e, source);
        }
    }

    private static boolean sameDevice(Path a, Path b) throws IOException {
        return Files.getAttribute(a, "unix:dev", LinkOption.NOFOLLOW_LINKS).equals(Files.getAttribute(b, "unix:dev"));
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try {
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes)
                        throws IOException {
                    copy(directory);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    copy(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path directory, IOException failure) throws IOException {
                    if (failure != null) {
                        throw failure;
                    }
                    // filling the copy changed its modification time; give it the original's again
                    Files.setLastModifiedTime(counterpart(directory), Files.getLastModifiedTime(directory));
                    return FileVisitResult.CONTINUE;
                }

                private void copy(Path path) throws IOException {
                    Files.copy(path, counterpart(path), StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }

                private Path counterpart(Path path) {
                    return target.resolve(source.relativize(path));
                }
            });
        } catch (IOException | RuntimeException e) {
            try {
                RecursiveDelete.delete(target);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }
}
