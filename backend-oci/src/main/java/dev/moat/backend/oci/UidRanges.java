package dev.moat.backend.oci;

import dev.moat.core.spi.SandboxException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands out host uid/gid ranges for sandboxes' user namespaces: every sandbox gets its own 65536 ids, so processes of
 * two sandboxes are different unprivileged users on the host even if one escaped its namespaces. Range 0 is not given
 * to sandboxes: it is the on-disk owner of writable mounts such as {@code /workspace} (see {@link #workspaceBase}).
 *
 * <p>Allocation is host-wide and survives restarts: slot {@code n} is taken by atomically creating
 * {@code <directory>/<n>} holding the owning bundle's path; a slot whose bundle is gone is stale and is taken over.
 */
final class UidRanges {

    static final long SIZE = 65536;
    static final long BASE = 1_000_000_000L;
    static final int SLOTS = 4096;
    /** The range of short-lived probe containers: past every slot, so never a sandbox's or a workspace's. */
    static final long PROBE_BASE = base(SLOTS);

    private final Path directory;
    private final ReentrantLock lock = new ReentrantLock();

    UidRanges(Path directory) {
        this.directory = directory;
    }

    /** The first host id of slot {@code slot}'s range. */
    static long base(int slot) {
        return BASE + (slot + 1L) * SIZE;
    }

    /** The on-disk uid and gid that container root has in writable mounts, whatever the sandbox's range. */
    static long workspaceBase() {
        return BASE;
    }

    /**
     * Takes a free slot for the sandbox whose bundle is {@code bundle}. Serialised within this JVM by a lock and
     * across processes by a file lock, so that two reclaimers of one stale slot cannot both win.
     */
    int allocate(Path bundle) {
        lock.lock();
        try {
            Files.createDirectories(directory);
            try (FileChannel channel = FileChannel.open(
                            directory.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = channel.lock()) {
                for (int slot = 0; slot < SLOTS; slot++) {
                    Path file = directory.resolve(Integer.toString(slot));
                    if (take(file, bundle) || (isStale(file) && reclaim(file, bundle))) {
                        return slot;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot allocate a uid range in " + directory, e);
        } finally {
            lock.unlock();
        }
        throw new SandboxException(
                SandboxException.Kind.CAPACITY, "all " + SLOTS + " user-namespace id ranges are in use on this host");
    }

    /** Gives slot {@code slot} back if {@code bundle} holds it. */
    void release(int slot, Path bundle) {
        Path file = directory.resolve(Integer.toString(slot));
        try {
            if (bundle.toString().equals(owner(file))) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release uid range " + slot + " in " + directory, e);
        }
    }

    private static boolean take(Path file, Path bundle) throws IOException {
        try {
            Files.writeString(
                    file,
                    bundle.toString(),
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    private static boolean isStale(Path file) throws IOException {
        String owner = owner(file);
        return owner != null && !owner.isEmpty() && !Files.isDirectory(Path.of(owner));
    }

    /** Deletes a stale slot file and takes it (under the allocation lock). */
    private static boolean reclaim(Path file, Path bundle) throws IOException {
        Files.deleteIfExists(file);
        return take(file, bundle);
    }

    private static String owner(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
