package dev.moat.builder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a root file system as one layer tar: every directory, file, symbolic link, hard link, device node and FIFO
 * with its numeric owner, mode (set-id bits included) and modification time, in sorted order so that the same tree
 * gives the same tar. Sockets are left out: they cannot be archived.
 */
final class RootfsTarWriter {

    private static final int TYPE_MASK = 0170000;
    private static final int DIRECTORY = 0040000;
    private static final int REGULAR = 0100000;
    private static final int SYMLINK = 0120000;
    private static final int CHARACTER_DEVICE = 0020000;
    private static final int BLOCK_DEVICE = 0060000;
    private static final int FIFO = 0010000;

    private final Path rootfs;
    private final TarArchiveOutputStream tar;
    private final Map<Object, String> firstNameOfInode = new HashMap<>();

    private RootfsTarWriter(Path rootfs, OutputStream out) {
        this.rootfs = rootfs;
        this.tar = new TarArchiveOutputStream(out, "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
    }

    /** Writes {@code rootfs} to {@code out} as a tar and finishes the tar (without closing {@code out}). */
    static void write(Path rootfs, OutputStream out) throws IOException {
        RootfsTarWriter writer = new RootfsTarWriter(rootfs, out);
        writer.children(rootfs);
        writer.tar.finish();
    }

    private void children(Path directory) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            entries.forEach(children::add);
        }
        children.sort(null);
        for (Path child : children) {
            if (add(child)) {
                children(child);
            }
        }
    }

    /** Adds one path; answers whether it is a directory to descend into. */
    private boolean add(Path path) throws IOException {
        Map<String, Object> unix =
                Files.readAttributes(path, "unix:mode,uid,gid,ino,dev,nlink,rdev,size", LinkOption.NOFOLLOW_LINKS);
        FileTime modified = Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) unix.get("mode");
        String name = rootfs.relativize(path).toString().replace('\\', '/');
        TarArchiveEntry entry;
        switch (mode & TYPE_MASK) {
            case DIRECTORY -> entry = new TarArchiveEntry(name + "/", TarConstants.LF_DIR);
            case SYMLINK -> {
                entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                entry.setLinkName(Files.readSymbolicLink(path).toString());
            }
            case REGULAR -> {
                Object inode = List.of(unix.get("dev"), unix.get("ino"));
                String first = (Integer) unix.get("nlink") > 1 ? firstNameOfInode.putIfAbsent(inode, name) : null;
                if (first != null) {
                    entry = new TarArchiveEntry(name, TarConstants.LF_LINK);
                    entry.setLinkName(first);
                } else {
                    entry = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
                    entry.setSize((Long) unix.get("size"));
                }
            }
            case CHARACTER_DEVICE, BLOCK_DEVICE -> {
                boolean character = (mode & TYPE_MASK) == CHARACTER_DEVICE;
                entry = new TarArchiveEntry(name, character ? TarConstants.LF_CHR : TarConstants.LF_BLK);
                long device = (Long) unix.get("rdev");
                entry.setDevMajor((int) (((device >>> 8) & 0xfff) | ((device >>> 32) & ~0xfffL)));
                entry.setDevMinor((int) ((device & 0xff) | ((device >>> 12) & ~0xffL)));
            }
            case FIFO -> entry = new TarArchiveEntry(name, TarConstants.LF_FIFO);
            default -> {
                return false;
            }
        }
        entry.setMode(mode & 07777);
        entry.setUserId(((Number) unix.get("uid")).longValue());
        entry.setGroupId(((Number) unix.get("gid")).longValue());
        entry.setUserName("");
        entry.setGroupName("");
        entry.setLastModifiedTime(modified);
        tar.putArchiveEntry(entry);
        if (entry.isFile() && entry.getLinkFlag() == TarConstants.LF_NORMAL) {
            try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
                copyExactly(in, entry.getSize(), path);
            }
        }
        tar.closeArchiveEntry();
        return (mode & TYPE_MASK) == DIRECTORY;
    }

    /** Copies the size the header promised; a file that changed meanwhile fails the export rather than the tar. */
    private void copyExactly(InputStream in, long size, Path path) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException(path + " shrank while it was being exported");
            }
            tar.write(buffer, 0, n);
            left -= n;
        }
    }
}
