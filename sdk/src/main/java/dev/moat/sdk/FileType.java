package dev.moat.sdk;

import java.util.Locale;

/** The kind of a file system entry. Symbolic links are reported as such, never followed. */
public enum FileType {
    FILE,
    DIRECTORY,
    SYMLINK,
    /** Anything else (devices, sockets, pipes) and kinds this SDK does not know. */
    OTHER;

    static FileType fromWire(String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "file":
                return FILE;
            case "directory":
            case "dir":
                return DIRECTORY;
            case "symlink":
                return SYMLINK;
            default:
                return OTHER;
        }
    }
}
