package dev.moat.sdk;

import java.time.Instant;
import java.util.Optional;

/**
 * Metadata of one file system entry in a sandbox.
 *
 * @param path the absolute path
 * @param type file, directory, symlink or other
 * @param size the size in bytes
 * @param modifiedAt when it was last modified
 * @param createdAt when it was created (or last changed, where the file system does not know)
 * @param owner the owner's user name
 * @param group the group name
 * @param mode the permission bits as octal digits, the way chmod takes them: {@code 644} means rw-r--r--
 */
public record FileInfo(
        String path,
        FileType type,
        long size,
        Instant modifiedAt,
        Optional<Instant> createdAt,
        String owner,
        String group,
        int mode) {

    /** The permission bits as a number ({@code 0644} for mode {@code 644}). */
    public int permissions() {
        try {
            return Integer.parseInt(Integer.toString(mode), 8);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("the server sent mode " + mode + ", which is not octal digits", e);
        }
    }

    public boolean isDirectory() {
        return type == FileType.DIRECTORY;
    }

    static FileInfo read(Object json) {
        JsonObject info = JsonObject.of(json, "a file entry");
        return new FileInfo(
                info.string("path"),
                info.optionalString("type").map(FileType::fromWire).orElse(FileType.OTHER),
                info.optionalLong("size").orElse(0L),
                info.time("modified_at"),
                info.optionalTime("created_at"),
                info.optionalString("owner").orElse(""),
                info.optionalString("group").orElse(""),
                info.optionalInt("mode").orElse(0));
    }
}
