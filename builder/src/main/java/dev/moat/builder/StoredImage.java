package dev.moat.builder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/** An image in the store: {@code $MOAT_HOME/images/<name>/<tag>/} with its {@code rootfs/} and configuration. */
public record StoredImage(String name, String tag, Path directory, ImageConfig config) {

    /** {@code name:tag}. */
    public String reference() {
        return name + ":" + tag;
    }

    /** The image's root file system: the shared, read-only lower layer of every sandbox made from it. */
    public Path rootfs() {
        return directory.resolve("rootfs");
    }

    /** Bytes the root file system takes: the sizes of its regular files, each hard-linked file counted once. */
    public long diskUsage() {
        Set<Object> seen = new HashSet<>();
        try (Stream<Path> files = Files.walk(rootfs())) {
            long total = 0;
            for (Path file : (Iterable<Path>) files::iterator) {
                BasicFileAttributes attributes =
                        Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                Object key = attributes.fileKey();
                if (attributes.isRegularFile() && (key == null || seen.add(key))) {
                    total += attributes.size();
                }
            }
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure image " + reference(), e);
        }
    }
}
