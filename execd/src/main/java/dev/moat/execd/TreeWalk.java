package dev.moat.execd;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Walks a directory tree depth first: entries of a directory in lexical order of their names, each directory's
 * descendants right after it. The walk never follows a symbolic link, keeps one open directory at a time, and holds
 * only the names of the directories on the current path, so its memory does not grow with the size of the tree. A
 * directory that cannot be read (or vanishes) is visited but not descended into.
 */
final class TreeWalk {

    /** Receives each entry; answers whether to descend into it (honoured only for directories). */
    @FunctionalInterface
    interface Visitor {
        boolean visit(Path path, String relative, int level) throws IOException;
    }

    private record Frame(Path directory, String relative, Iterator<String> names, int level) {}

    private TreeWalk() {}

    /**
     * Visits the entries below {@code root} down to {@code maxLevel} levels (1 = the root's children). The caller reads
     * the root's names first with {@link #rootNames}, so that a root that cannot be read fails before any answer.
     */
    static void walk(Path root, List<String> rootNames, int maxLevel, Visitor visitor) throws IOException {
        if (maxLevel < 1) {
            return;
        }
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(root, "", rootNames.iterator(), 1));
        while (!stack.isEmpty()) {
            Frame frame = stack.peek();
            if (!frame.names().hasNext()) {
                stack.pop();
                continue;
            }
            String name = frame.names().next();
            Path path = frame.directory().resolve(name);
            String relative = frame.relative().isEmpty() ? name : frame.relative() + "/" + name;
            boolean descend;
            try {
                descend = visitor.visit(path, relative, frame.level());
            } catch (NoSuchFileException e) {
                continue; // removed while we walked
            }
            if (descend && frame.level() < maxLevel) {
                children(path).ifPresent(names -> stack.push(new Frame(path, relative, names, frame.level() + 1)));
            }
        }
    }

    /** The sorted names in the root of a walk; a failure is the API error for it (403 when it cannot be read). */
    static List<String> rootNames(Path root) {
        try {
            return sortedNames(root);
        } catch (IOException e) {
            throw FileFailures.of(e, root);
        }
    }

    /** The names in {@code directory}, sorted; fails when it cannot be read. */
    static List<String> sortedNames(Path directory) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        names.sort(null);
        return names;
    }

    private static Optional<Iterator<String>> children(Path directory) {
        try {
            return Optional.of(sortedNames(directory).iterator());
        } catch (IOException | InvalidPathException e) {
            // unreadable, not a directory after all, or gone: reported as an entry, not descended into
            return Optional.empty();
        }
    }
}
