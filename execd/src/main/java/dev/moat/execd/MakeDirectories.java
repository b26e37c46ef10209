package dev.moat.execd;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * {@code mkdir -p} with permissions: every directory it creates gets the change (the deepest first, so that a mode
 * without write permission does not stop the creation of what is below it); a directory that already exists is left
 * as it is, as in OpenSandbox. Something other than a directory on the way is a 409 conflict. A link to a directory
 * counts as a directory.
 */
final class MakeDirectories {

    private MakeDirectories() {}

    /** Creates {@code directory} and its missing parents; answers the ones it created, the top one first. */
    static List<Path> make(Path directory, PermissionChange change) {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path current = directory; current != null && !Files.isDirectory(current); current = current.getParent()) {
            if (Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                throw current.equals(directory)
                        ? ExecdError.CONFLICT.exception("%s exists and is not a directory", directory)
                        : ExecdError.CONFLICT.exception(
                                "cannot create directory %s: %s exists and is not a directory", directory, current);
            }
            missing.push(current);
        }
        List<Path> created = new ArrayList<>();
        Path current = directory;
        try {
            while (!missing.isEmpty()) {
                current = missing.pop();
                try {
                    Files.createDirectory(current);
                    created.add(current);
                } catch (FileAlreadyExistsException e) {
                    if (!Files.isDirectory(current)) {
                        throw e; // something else appeared meanwhile
                    }
                }
            }
            for (Path made : created.reversed()) {
                current = made;
                change.applyTo(made);
            }
        } catch (IOException e) {
            throw FileFailures.of(e, current);
        }
        return created;
    }
}
