package dev.moat.execd;

import dev.moat.protocol.FileInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads {@link FileInfo}s: one {@code lstat} per entry (a symbolic link is described, not followed), times in RFC 3339
 * (UTC), owner and group as names, or as the numeric id when no name is known. Names are cached per instance, so a
 * listing of many files owned by one user looks the name up once; use one instance per request so that users added
 * meanwhile are seen.
 */
final class FileInfos {

    private static final String ATTRIBUTES = "unix:mode,uid,gid,size,lastModifiedTime,creationTime";
    private static final int TYPE_MASK = 0170000;
    private static final int DIRECTORY = 0040000;
    private static final int REGULAR = 0100000;
    private static final int SYMLINK = 0120000;

    private final Map<Integer, String> users = new HashMap<>();
    private final Map<Integer, String> groups = new HashMap<>();

    /** The entry at {@code path} (absolute). */
    FileInfo read(Path path) throws IOException {
        Map<String, Object> attributes = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) attributes.get("mode");
        int uid = (Integer) attributes.get("uid");
        int gid = (Integer) attributes.get("gid");
        return new FileInfo(
                path.toString(),
                typeOf(mode),
                (Long) attributes.get("size"),
                rfc3339((FileTime) attributes.get("lastModifiedTime")),
                rfc3339((FileTime) attributes.get("creationTime")),
                name(users, uid, path, true),
                name(groups, gid, path, false),
                OctalMode.digitsOf(mode));
    }

    /** The entry at {@code path}; a failure is the API error for it (a missing path is FILE_NOT_FOUND). */
    FileInfo describe(Path path) {
        try {
            return read(path);
        } catch (IOException e) {
            throw FileFailures.of(e, path);
        }
    }

    private static String typeOf(int stMode) {
        return switch (stMode & TYPE_MASK) {
            case DIRECTORY -> "directory";
            case REGULAR -> "file";
            case SYMLINK -> "symlink";
            default -> "other";
        };
    }

    private static String rfc3339(FileTime time) {
        return time.toInstant().toString();
    }

    private static String name(Map<Integer, String> cache, int id, Path path, boolean user) throws IOException {
        String cached = cache.get(id);
        if (cached != null) {
            return cached;
        }
        // The JDK resolves an id to a name only through a principal of some file; it gives the number itself when
        // the id has no name.
        PosixFileAttributes posix = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String name = user ? posix.owner().getName() : posix.group().getName();
        cache.put(id, name);
        return name;
    }
}
