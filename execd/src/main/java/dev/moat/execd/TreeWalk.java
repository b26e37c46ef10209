package dev.moat.execd;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Walks a directory tree depth first: entries of a directory in lexical order of their names, each directory's
 * descendants right after it. The walk never follows a symbolic link, keeps one open directory at a time, and holds
 * only the entries of the directories on the current path, so its memory does not grow with the size of the tree. A
 * directory that cannot be read (or vanishes) is visited but not descended into.
 */
final class TreeWalk {

    /** Receives each entry; answers whether to descend into it (honoured only for directories). */
    @FunctionalInterface
    interface Visitor {
        boolean visit(Path path, String relative, int level) throws IOException;
    }

    private record Frame(String relative, Iterator<Path> entries, int level) {}

    private TreeWalk() {}

    /**
     * Visits the entries below a root down to {@code maxLevel} levels (1 = the root's children). The caller reads the
     * root's entries first with {@link #rootEntries}, so that a root that cannot be read fails before any answer.
     */
    static void walk(List<Path> rootEntries, int maxLevel, Visitor visitor) throws IOException {
        if (maxLevel < 1) {
            return;
        }
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame("", rootEntries.iterator(), 1));
        while (!stack.isEmpty()) {
            Frame frame = stack.peek();
            if (!frame.entries().hasNext()) {
                stack.pop();
                continue;
            }
            // entries stay the paths the directory gave: a name that is not valid in the locale's charset cannot be
            // turned back into the same path from its text
            Path path = frame.entries().next();
            String name = path.getFileName().toString();
            String relative = frame.relative().isEmpty() ? name : frame.relative() + "/" + name;
            boolean descend;
            try {
                descend = visitor.visit(path, relative, frame.level());
            } catch (NoSuchFileException e) {
                continue; // removed while we walked
            }
            if (descend && frame.level() < maxLevel) {
                children(path).ifPresent(entries -> stack.push(new Frame(relative, entries, frame.level() + 1)));
            }
        }
    }

    /** The sorted entries of the root of a walk; a failure is the API error for it (403 when it cannot be read). */
    static List<Path> rootEntries(Path root) {
        try {
            return sortedEntries(root);
        } catch (IOException e) {
            throw FileFailures.of(e, root);
        }
    }

    /** The entries of {@code directory} in lexical order of their names; fails when it cannot be read. */
    private static List<Path> sortedEntries(Path directory) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            for (Path entry : stream) {
                entries.add(entry);
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        entries.sort(Comparator.comparing(entry -> entry.getFileName().toString()));
        return entries;
    }

    private static Optional<Iterator<Path>> children(Path directory) {
        try {
            return Optional.of(sortedEntries(directory).iterator());
        } catch (IOException e) {
            // unreadable, not a directory after all, or gone: reported as an entry, not descended into
            return Optional.empty();
        }
    }
}
