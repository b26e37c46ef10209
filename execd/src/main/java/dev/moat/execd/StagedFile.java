package dev.moat.execd;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * New content for a file, written to a temporary file next to it (readable only by execd's user) and put in place in
 * one rename, so readers never see half a file and a failure leaves the old file untouched. Closing a staged file that
 * was not committed removes the temporary file.
 *
 * <p>A file that exists keeps its mode, owner and group unless the commit asks for others. Where a rename cannot keep
 * them — the file has other hard links, belongs to a user execd may not give files to, or is a mount point (such as a
 * bind-mounted {@code /etc/hosts}) — the content is copied into the existing file instead, which keeps its identity at
 * the price of atomicity. Nothing is fsynced: the files are as durable as the page cache.
 */
final class StagedFile implements AutoCloseable {

    private final Path target;
    private final Path temporary;
    private final FileChannel channel;
    private boolean committed;

    private StagedFile(Path target, Path temporary, FileChannel channel) {
        this.target = target;
        this.temporary = temporary;
        this.channel = channel;
    }

    /** Stages new content for {@code target}, whose directory must exist. */
    static StagedFile next(Path target) throws IOException {
        String name = target.getFileName().toString();
        // stay below the 255-byte name limit whatever the target's name
        String stem = name.length() > 64 ? name.substring(0, 64) : name;
        Path temporary = target.resolveSibling("." + stem + ".moat-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        FileChannel channel = FileChannel.open(
                temporary,
                java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return new StagedFile(target, temporary, channel);
    }

    Path target() {
        return target;
    }

    /** Where the content goes; not buffered. */
    OutputStream output() {
        return Channels.newOutputStream(channel);
    }

    /** Ends the writing: the content is complete, the file handle is released until the commit. */
    void seal() throws IOException {
        channel.close();
    }

    /**
     * Puts the content in place. {@code requested} is applied on top of what the file keeps: the existing file's
     * mode, owner and group, or mode 755 and execd's user for a new file.
     */
    void commit(PermissionChange requested) throws IOException {
        channel.close();
        Optional<Map<String, Object>> existing = attributes(target);
        boolean inPlace =
                existing.isPresent() && ((Integer) existing.get().get("nlink") > 1 || !takeOwnership(existing.get()));
        if (!inPlace) {
            OctalMode mode = existing.map(a -> new OctalMode((Integer) a.get("mode") & 07777))
                    .orElse(OctalMode.DEFAULT);
            requested.withModeIfAbsent(mode).applyTo(temporary);
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
                committed = true;
                return;
            } catch (FileSystemException e) {
                if (e instanceof AccessDeniedException || !"Device or resource busy".equals(e.getReason())) {
                    throw e;
                }
            }
        }
        copyIntoTarget();
        requested.applyTo(target);
        Files.delete(temporary);
        committed = true;
    }

    private static Optional<Map<String, Object>> attributes(Path path) throws IOException {
        try {
            return Optional.of(Files.readAttributes(path, "unix:mode,uid,gid,nlink"));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Gives the temporary file the owner and group of the existing file; false when execd may not. */
    private boolean takeOwnership(Map<String, Object> existing) throws IOException {
        Map<String, Object> own = Files.readAttributes(temporary, "unix:uid,gid");
        try {
            if (!own.get("uid").equals(existing.get("uid"))) {
                Files.setAttribute(temporary, "unix:uid", existing.get("uid"));
            }
            if (!own.get("gid").equals(existing.get("gid"))) {
                Files.setAttribute(temporary, "unix:gid", existing.get("gid"));
            }
            return true;
        } catch (FileSystemException e) {
            return false;
        }
    }

    private void copyIntoTarget() throws IOException {
        try (FileChannel from = FileChannel.open(temporary, StandardOpenOption.READ);
                FileChannel to =
                        FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long size = from.size();
            for (long done = 0; done < size; ) {
                done += from.transferTo(done, size - done, to);
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (!committed) {
            channel.close();
            Files.deleteIfExists(temporary);
        }
    }
}
