package dev.moat.builder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Writes a layer tar entry by entry, the way image tools do, including entries no honest tool would write. */
final class LayerBuilder {

    static final Instant MTIME = Instant.parse("2024-01-02T03:04:05Z");

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, "UTF-8");

    LayerBuilder() {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    LayerBuilder dir(String name) {
        return dir(name, 0755);
    }

    LayerBuilder dir(String name, int mode) {
        TarArchiveEntry entry = entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
        entry.setMode(mode);
        return add(entry, new byte[0]);
    }

    LayerBuilder file(String name, String content) {
        return file(name, content, 0644, 0, 0);
    }

    LayerBuilder file(String name, String content, int mode, int uid, int gid) {
        TarArchiveEntry entry = entry(name, TarConstants.LF_NORMAL);
        entry.setMode(mode);
        entry.setUserId(uid);
        entry.setGroupId(gid);
        return add(entry, content.getBytes(StandardCharsets.UTF_8));
    }

    LayerBuilder symlink(String name, String target) {
        TarArchiveEntry entry = entry(name, TarConstants.LF_SYMLINK);
        entry.setLinkName(target);
        return add(entry, new byte[0]);
    }

    LayerBuilder hardlink(String name, String target) {
        TarArchiveEntry entry = entry(name, TarConstants.LF_LINK);
        entry.setLinkName(target);
        return add(entry, new byte[0]);
    }

    LayerBuilder fifo(String name) {
        TarArchiveEntry entry = entry(name, TarConstants.LF_FIFO);
        entry.setMode(0600);
        return add(entry, new byte[0]);
    }

    LayerBuilder charDevice(String name, int major, int minor) {
        TarArchiveEntry entry = entry(name, TarConstants.LF_CHR);
        entry.setMode(0666);
        entry.setDevMajor(major);
        entry.setDevMinor(minor);
        return add(entry, new byte[0]);
    }

    /** {@code .wh.<name>} next to {@code path}: deletes {@code path} from the layers below. */
    LayerBuilder whiteout(String path) {
        int slash = path.lastIndexOf('/');
        String name = slash < 0 ? ".wh." + path : path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1);
        return file(name, "");
    }

    /** {@code <dir>/.wh..wh..opq}: hides everything the layers below put in {@code dir}. */
    LayerBuilder opaque(String dir) {
        return file(dir + "/.wh..wh..opq", "");
    }

    byte[] build() {
        try {
            tar.finish();
            tar.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static TarArchiveEntry entry(String name, byte type) {
        // preserveAbsolutePath: keep hostile names exactly as written
        TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
        entry.setLastModifiedTime(FileTime.from(MTIME));
        return entry;
    }

    private LayerBuilder add(TarArchiveEntry entry, byte[] content) {
        try {
            entry.setSize(entry.isFile() && entry.getLinkFlag() == TarConstants.LF_NORMAL ? content.length : 0);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
