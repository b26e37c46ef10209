package dev.moat.builder;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Gives a path made from a tar entry the entry's owner, mode and time, and makes device nodes and FIFOs — the parts
 * that depend on what this process may do: only root may change owners and make devices; without root they are
 * skipped and reported through the {@code warn} callback instead of failing the import.
 */
record EntryAttributes(boolean privileged) {

    private static final long MKNOD_TIMEOUT_SECONDS = 30;

    static EntryAttributes forThisProcess() throws IOException {
        return new EntryAttributes(((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0);
    }

    /**
     * Owner first (chown clears set-id bits), then time, then mode. Device nodes and FIFOs got their mode from mknod
     * and keep the time of their creation: setting a time opens the file, which blocks on a FIFO.
     */
    void apply(Path path, TarArchiveEntry entry, Consumer<String> warn) throws IOException {
        if (privileged) {
            try {
                Files.setAttribute(path, "unix:uid", (int) entry.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(path, "unix:gid", (int) entry.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
            } catch (FileSystemException unmapped) {
                warn.accept("owners that this user namespace cannot map");
            }
        }
        if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
            return;
        }
        Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(entry.getLastModifiedTime(), null, null);
        if (!entry.isSymbolicLink()) {
            // the path is one the layer just made, not a link, so following is safe; chmod needs no open()
            Files.setAttribute(path, "unix:mode", entry.getMode() & 07777);
        }
    }

    /** Creates a device node or FIFO; answers whether it exists now. */
    boolean makeNode(Path path, TarArchiveEntry entry, Consumer<String> warn) throws IOException {
        String mode = Integer.toOctalString(entry.getMode() & 07777);
        List<String> command;
        if (entry.isFIFO()) {
            command = List.of("mkfifo", "-m", mode, path.toString());
        } else if (privileged) {
            command = List.of(
                    "mknod",
                    "-m",
                    mode,
                    path.toString(),
                    entry.isCharacterDevice() ? "c" : "b",
                    Integer.toString(entry.getDevMajor()),
                    Integer.toString(entry.getDevMinor()));
        } else {
            warn.accept("device nodes (creating them needs root)");
            return false;
        }
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            if (process.waitFor(MKNOD_TIMEOUT_SECONDS, TimeUnit.SECONDS) && process.exitValue() == 0) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating " + path, e);
        } finally {
            process.destroyForcibly();
        }
        warn.accept("device nodes or FIFOs that " + command.getFirst() + " could not create");
        return false;
    }
}
