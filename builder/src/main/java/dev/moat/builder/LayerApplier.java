package dev.moat.builder;

import dev.moat.core.spi.SandboxException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Applies image layers (tar streams) to a root file system, bottom layer first, the way a container runtime stacks
 * them: regular files, directories, symbolic and hard links, device nodes and FIFOs with their modes, owners and
 * times; {@code .wh.<name>} whiteouts delete {@code <name>} from the layers below, and {@code .wh..wh..opq} hides
 * everything the layers below put in its directory.
 *
 * <p>A layer is hostile input. Entries with absolute paths or {@code ..} are refused, and every path is resolved
 * inside the root: symbolic links met on the way (from this layer or one below) are followed as the container would
 * see them, and one that leads out of the root refuses the whole import, so nothing is ever written outside it.
 */
final class LayerApplier {

    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final int MAX_SYMLINK_HOPS = 40;

    private final Path rootfs;
    private final EntryAttributes attributes;
    private final Progress progress;

    LayerApplier(Path rootfs, Progress progress) throws IOException {
        this.rootfs = rootfs.toRealPath();
        this.attributes = EntryAttributes.forThisProcess();
        this.progress = progress;
    }

    /** Applies one layer; {@code name} identifies it in messages ({@code layer 2/5}). Returns its entry count. */
    int apply(InputStream layer, String name) throws IOException {
        LayerState state = new LayerState(name);
        TarArchiveInputStream tar = new TarArchiveInputStream(layer, StandardCharsets.UTF_8.name());
        TarArchiveEntry entry;
        int entries = 0;
        while ((entry = tar.getNextEntry()) != null) {
            entries++;
            applyEntry(entry, tar, state);
        }
        state.finish();
        return entries;
    }

    private void applyEntry(TarArchiveEntry entry, InputStream content, LayerState state) throws IOException {
        List<String> components = components(entry.getName(), state.name);
        if (components.isEmpty()) {
            if (entry.isDirectory()) {
                state.directories.put(rootfs, entry);
            }
            return;
        }
        String leaf = components.getLast();
        List<String> parentComponents = components.subList(0, components.size() - 1);
        if (leaf.startsWith(WHITEOUT)) {
            whiteout(entry.getName(), parentComponents, leaf, state);
            return;
        }
        Path parent = resolve(entry.getName(), parentComponents, state, true);
        Path target = parent.resolve(leaf);
        if (entry.isDirectory()) {
            if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                delete(target);
                Files.createDirectory(target);
            }
            state.directories.put(target, entry);
        } else if (entry.isSymbolicLink()) {
            delete(target);
            Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
            attributes.apply(target, entry, state::warn);
        } else if (entry.isLink()) {
            hardLink(entry, target, state);
        } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
            delete(target);
            if (attributes.makeNode(target, entry, state::warn)) {
                attributes.apply(target, entry, state::warn);
            }
        } else if (entry.isFile()) {
            delete(target);
            try (OutputStream out = Files.newOutputStream(
                    target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                content.transferTo(out);
            }
            attributes.apply(target, entry, state::warn);
        } else {
            state.warn("entries of an unsupported type (" + (char) entry.getLinkFlag() + ")");
            return;
        }
        state.written(relative(target));
    }

    private void hardLink(TarArchiveEntry entry, Path target, LayerState state) throws IOException {
        List<String> linkComponents = components(entry.getLinkName(), state.name);
        if (linkComponents.isEmpty()) {
            throw refused(state.name, "hard link '" + entry.getName() + "' points at the root directory");
        }
        Path linkParent =
                resolve(entry.getLinkName(), linkComponents.subList(0, linkComponents.size() - 1), state, false);
        Path existing = linkParent == null ? null : linkParent.resolve(linkComponents.getLast());
        if (existing == null
                || !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)
                || Files.isDirectory(existing, LinkOption.NOFOLLOW_LINKS)) {
            throw refused(
                    state.name,
                    "hard link '" + entry.getName() + "' points at '" + entry.getLinkName()
                            + "', which is not a file in the image");
        }
        if (!existing.equals(target)) {
            delete(target);
            Files.createLink(target, existing);
        }
    }

    /** Records a whiteout; it is carried out when the layer ends, so that it never hides this layer's own files. */
    private void whiteout(String entryName, List<String> parentComponents, String leaf, LayerState state)
            throws IOException {
        if (leaf.equals(OPAQUE)) {
            state.opaque.add(resolve(entryName, parentComponents, state, true));
            return;
        }
        String hidden = leaf.substring(WHITEOUT.length());
        if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..") || hidden.startsWith(WHITEOUT)) {
            return; // aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs) or nothing to hide
        }
        Path parent = resolve(entryName, parentComponents, state, false);
        if (parent != null) {
            state.whiteouts.add(parent.resolve(hidden));
        }
    }

    /**
     * Walks {@code components} from the root like the kernel would inside the container: a symbolic link continues
     * the walk at its target (an absolute target starts again at the root), {@code ..} goes up. Going up from the root
     * is an escape and refuses the import. Missing directories are created when {@code create} is set (and recorded
     * as written by this layer), else the walk answers {@code null}.
     */
    private Path resolve(String entryName, List<String> components, LayerState state, boolean create)
            throws IOException {
        List<String> pending = new ArrayList<>(components);
        List<String> walked = new ArrayList<>();
        Path current = rootfs;
        int hops = 0;
        while (!pending.isEmpty()) {
            String component = pending.removeFirst();
            if (component.isEmpty() || component.equals(".")) {
                continue;
            }
            if (component.equals("..")) {
                if (walked.isEmpty()) {
                    throw refused(
                            state.name,
                            "'" + entryName + "' goes through a symbolic link that leads out of the image root");
                }
                walked.removeLast();
                current = current.getParent();
                continue;
            }
            Path next = current.resolve(component);
            BasicFileAttributes attributes = attributesOrNull(next);
            if (attributes == null) {
                if (!create) {
                    return null;
                }
                Files.createDirectory(next);
                Files.setAttribute(next, "unix:mode", 0755);
                state.written(relative(next));
            } else if (attributes.isSymbolicLink()) {
                if (++hops > MAX_SYMLINK_HOPS) {
                    throw refused(state.name, "'" + entryName + "' goes through too many symbolic links");
                }
                String target = Files.readSymbolicLink(next).toString();
                if (target.startsWith("/")) {
                    walked.clear();
                    current = rootfs;
                }
                pending.addAll(0, List.of(target.split("/")));
                continue;
            } else if (!attributes.isDirectory()) {
                throw refused(
                        state.name,
                        "'" + entryName + "' needs '" + relative(next) + "' to be a directory, and it is not");
            }
            walked.add(component);
            current = next;
        }
        return current;
    }

    private String relative(Path path) {
        return rootfs.relativize(path).toString();
    }

    private static BasicFileAttributes attributesOrNull(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException missing) {
            return null;
        }
    }

    private static void delete(Path path) throws IOException {
        BasicFileAttributes attributes = attributesOrNull(path);
        if (attributes == null) {
            return;
        }
        if (attributes.isDirectory()) {
            TreeDeleter.delete(path);
        } else {
            Files.delete(path);
        }
    }

    /** The path components of a tar entry name; an absolute name or one with {@code ..} refuses the import. */
    static List<String> components(String name, String layer) {
        if (name.startsWith("/")) {
            throw refused(layer, "entry '" + name + "' has an absolute path");
        }
        List<String> components = new ArrayList<>();
        for (String component : name.split("/")) {
            if (component.equals("..")) {
                throw refused(layer, "entry '" + name + "' climbs out of the image root with '..'");
            }
            if (component.indexOf('\0') >= 0) {
                throw refused(layer, "entry '" + name + "' has a NUL character in its name");
            }
            if (!component.isEmpty() && !component.equals(".")) {
                components.add(component);
            }
        }
        return components;
    }

    static SandboxException refused(String layer, String why) {
        return new SandboxException(
                SandboxException.Kind.INVALID_SPEC,
                "refusing to import the image: " + (layer.isEmpty() ? "" : layer + ": ") + why);
    }

    /** What one layer did that is carried out when it ends, and what it could not do. */
    private final class LayerState {
        final String name;
        final Set<String> written = new HashSet<>();
        final Map<Path, TarArchiveEntry> directories = new LinkedHashMap<>();
        final List<Path> whiteouts = new ArrayList<>();
        final List<Path> opaque = new ArrayList<>();
        final Map<String, Integer> warnings = new LinkedHashMap<>();

        LayerState(String name) {
            this.name = name;
        }

        void written(String relativePath) {
            written.add(relativePath);
            for (int slash = relativePath.lastIndexOf('/');
                    slash > 0;
                    slash = relativePath.lastIndexOf('/', slash - 1)) {
                written.add(relativePath.substring(0, slash));
            }
        }

        void warn(String what) {
            warnings.merge(what, 1, Integer::sum);
        }

        void finish() throws IOException {
            for (Path hidden : whiteouts) {
                if (!written.contains(relative(hidden))) {
                    delete(hidden);
                }
            }
            for (Path directory : opaque) {
                deleteLower(directory);
            }
            List<Map.Entry<Path, TarArchiveEntry>> deepestFirst = new ArrayList<>(directories.entrySet());
            for (Map.Entry<Path, TarArchiveEntry> directory : deepestFirst.reversed()) {
                if (Files.isDirectory(directory.getKey(), LinkOption.NOFOLLOW_LINKS)) {
                    attributes.apply(directory.getKey(), directory.getValue(), this::warn);
                }
            }
            warnings.forEach((what, count) -> progress.report(name + ": skipped " + count + " " + what));
        }

        /** Deletes what the layers below left in an opaque directory: everything this layer did not write. */
        private void deleteLower(Path directory) throws IOException {
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
                entries.forEach(children::add);
            }
            for (Path child : children) {
                if (!written.contains(relative(child))) {
                    delete(child);
                } else if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    deleteLower(child);
                }
            }
        }
    }
}
