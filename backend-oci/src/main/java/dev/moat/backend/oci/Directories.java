package dev.moat.backend.oci;

import dev.moat.builder.TreeDeleter;
import java.io.IOException;
import java.nio.file.Path;

/** Deleting a sandbox's directories without ever following a link or crossing into a mounted file system. */
final class Directories {

    private Directories() {}

    /**
     * Deletes {@code directory} and everything in it. Refuses (with an IOException) when something below it is still
     * mounted, so that a failed unmount can never turn into deleting an image or a workspace through the mount.
     */
    static void delete(Path directory) throws IOException {
        TreeDeleter.delete(directory);
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
