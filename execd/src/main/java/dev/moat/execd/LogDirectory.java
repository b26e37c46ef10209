package dev.moat.execd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where background commands' logs live: a private directory (mode 0700) under the temporary directory, made on the
 * first background command and removed with everything in it when execd stops.
 */
final class LogDirectory implements AutoCloseable {

    private Path directory;

    /** A new, empty log file (mode 0600) for the command {@code id}. */
    synchronized Path newFile(String id) {
        try {
            if (directory == null) {
                directory = Files.createTempDirectory(
                        "moat-execd-logs-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            return Files.createFile(
                    directory.resolve(id + ".log"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw ExecdError.RUNTIME_ERROR.exception(
                    "cannot create the log file of command %s: %s", id, e.getMessage());
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (directory == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
        directory = null;
    }
}
