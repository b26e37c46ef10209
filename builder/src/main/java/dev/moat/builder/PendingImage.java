package dev.moat.builder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An image being made: a staging directory next to the image's final place ({@code <name>/.<tag>~staging-…/}) whose
 * {@code rootfs/} a builder or importer fills. {@link #commit} writes {@code image.json} last and renames the directory
 * into place, so the store never shows a half-made image. Closing without committing — after a failure, an
 * interruption, or when the JVM exits (Ctrl-C) — stops the processes writing into it and deletes it.
 */
public final class PendingImage implements AutoCloseable {

    private static final long WRITER_GRACE_SECONDS = 60;

    private final ImageLock lock;
    private final Path staging;
    private final Path destination;
    private final List<Process> writers = new CopyOnWriteArrayList<>();
    private final Thread shutdownHook;
    private boolean finished;

    PendingImage(ImageLock lock, Path staging, Path destination) {
        this.lock = lock;
        this.staging = staging;
        this.destination = destination;
        this.shutdownHook = Thread.ofPlatform().unstarted(this::abandonQuietly);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** The image this will become. */
    public ImageReference reference() {
        return lock.reference();
    }

    /** The root file system to fill; it exists and is empty at first. */
    public Path rootfs() {
        return staging.resolve("rootfs");
    }

    /**
     * Registers a process that writes into {@link #rootfs()}: if the image is abandoned, it and its descendants are
     * stopped (TERM, then KILL after a grace period) before the directory is deleted, so that they can undo their mounts
     * first. A directory that still has mounts inside is not deleted at all.
     */
    public void track(Process writer) {
        writers.add(writer);
    }

    /** Writes {@code image.json} and moves the image into place, replacing an image of the same name and tag. */
    public synchronized StoredImage commit(ImageConfig config) throws IOException {
        if (finished) {
            throw new IllegalStateException("image " + reference() + " was already committed or abandoned");
        }
        ImageStore.writeConfig(staging.resolve(ImageStore.CONFIG_FILE), config);
        Path replaced = null;
        if (Files.exists(destination, LinkOption.NOFOLLOW_LINKS)) {
            replaced = ImageStore.sideDirectory(destination, "replaced");
            Files.move(destination, replaced, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(staging, destination, StandardCopyOption.ATOMIC_MOVE);
        finish();
        if (replaced != null) {
            TreeDeleter.delete(replaced);
        }
        return new StoredImage(reference().name(), reference().tag(), destination, config);
    }

    /** Abandons the image unless it was committed: stops its writers and deletes the staging directory. */
    @Override
    public synchronized void close() throws IOException {
        if (finished) {
            return;
        }
        finish();
        stopWriters();
        unmountWhatWritersLeft();
        TreeDeleter.delete(staging);
    }

    private void finish() {
        finished = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook itself is what is running now
        }
    }

    /**
     * Stops the writers and waits for them, also when this thread was interrupted (the usual reason to abandon an
     * image): cutting the wait short would kill mmdebstrap before it undoes its mounts. The interrupt is kept.
     */
    private void stopWriters() {
        for (Process writer : writers) {
            // TERM goes to the whole tree: mmdebstrap's parent ignores it, and only its worker child undoes the mounts
            writer.descendants().forEach(ProcessHandle::destroy);
            writer.destroy();
        }
        for (Process writer : writers) {
            if (!awaitUninterruptibly(writer, WRITER_GRACE_SECONDS)) {
                writer.descendants().forEach(ProcessHandle::destroyForcibly);
                writer.destroyForcibly();
                awaitUninterruptibly(writer, WRITER_GRACE_SECONDS);
            }
        }
    }

    private static boolean awaitUninterruptibly(Process process, long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Detaches what a writer that was killed left mounted in the staging directory (a chroot build mounts
     * {@code /proc}, {@code /sys} and {@code /dev} into its target): those mounts are this image's own, and leaving
     * them would keep the directory from being deleted.
     */
    private void unmountWhatWritersLeft() throws IOException {
        List<Path> mounts = TreeDeleter.mountsInside(staging.toAbsolutePath().normalize());
        for (Path mount : mounts.reversed()) { // mountinfo lists parents first
            Process umount = new ProcessBuilder("umount", "--lazy", mount.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            awaitUninterruptibly(umount, 10);
        }
    }

    private void abandonQuietly() {
        try {
            close();
        } catch (IOException | UncheckedIOException e) {
            System.err.println("moat: could not remove the unfinished image " + staging + ": " + e.getMessage());
        }
    }
}
