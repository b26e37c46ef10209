package dev.moat.builder;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Deletes a directory tree such as an image's root file system: never follows a symbolic link, makes read-only
 * directories writable first (a root file system has some), and refuses to touch a tree that still has something
 * mounted inside it — a chroot build mounts {@code /proc} and {@code /dev} into its target, and deleting through such
 * a mount would delete the host's files.
 */
public final class TreeDeleter {

    private static final Path MOUNT_INFO = Path.of("/proc/self/mountinfo");

    private TreeDeleter() {}

    /** Deletes {@code tree} and everything below it; a missing tree is not an error. */
    public static void delete(Path tree) throws IOException {
        if (!Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path absolute = tree.toAbsolutePath().normalize();
        List<Path> mounts = mountsInside(absolute);
        if (!mounts.isEmpty()) {
            throw new IOException("cannot delete " + absolute + ": " + mounts.getFirst()
                    + " is still mounted inside it; unmount it first (umount -R " + mounts.getFirst() + ")");
        }
        Files.walkFileTree(absolute, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                if (!Files.isWritable(dir) || !Files.isExecutable(dir)) {
                    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir);
                    permissions.addAll(Set.of(
                            PosixFilePermission.OWNER_READ,
                            PosixFilePermission.OWNER_WRITE,
                            PosixFilePermission.OWNER_EXECUTE));
                    Files.setPosixFilePermissions(dir, permissions);
                }
                return FileVisitResult.CONTINUE;
            }

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

    /** The mount points at or below {@code tree}, as this process sees them. */
    static List<Path> mountsInside(Path tree) throws IOException {
        if (!Files.isReadable(MOUNT_INFO)) {
            return List.of();
        }
        List<Path> inside = new ArrayList<>();
        for (String line : Files.readAllLines(MOUNT_INFO)) {
            String[] fields = line.split(" ");
            if (fields.length > 4) {
                Path mountPoint = Path.of(unescape(fields[4]));
                if (mountPoint.startsWith(tree)) {
                    inside.add(mountPoint);
                }
            }
        }
        return inside;
    }

    /** mountinfo writes space, tab, newline and backslash in a path as three octal digits after a backslash. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
