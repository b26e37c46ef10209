package dev.moat.builder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.FileLockInterruptionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The exclusive right to change one image in the store — build, import, replace or remove it — held against other
 * threads of this JVM and against other processes (a file lock), so that an image is built once even when several
 * test JVMs ask for it at the same time. Not reentrant. The operating system drops the file lock when a process dies.
 */
public final class ImageLock implements AutoCloseable {

    private static final ConcurrentHashMap<Path, ReentrantLock> IN_THIS_JVM = new ConcurrentHashMap<>();

    private final ImageReference reference;
    private final ReentrantLock threadLock;
    private final FileChannel channel;
    private final FileLock fileLock;

    private ImageLock(ImageReference reference, ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
        this.reference = reference;
        this.threadLock = threadLock;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /** The image this lock guards. */
    public ImageReference reference() {
        return reference;
    }

    static Optional<ImageLock> tryAcquire(ImageReference reference, Path file) {
        try {
            return lock(reference, file, false);
        } catch (InterruptedException e) {
            throw new IllegalStateException("tryLock does not wait", e);
        }
    }

    static ImageLock acquire(ImageReference reference, Path file) throws InterruptedException {
        return lock(reference, file, true).orElseThrow();
    }

    private static Optional<ImageLock> lock(ImageReference reference, Path file, boolean wait)
            throws InterruptedException {
        ReentrantLock threadLock = threadLockFor(file);
        if (wait) {
            threadLock.lockInterruptibly();
        } else if (!threadLock.tryLock()) {
            return Optional.empty();
        }
        try {
            FileChannel channel = open(file);
            FileLock fileLock = lockOrClose(channel, wait);
            if (fileLock != null) {
                return Optional.of(new ImageLock(reference, threadLock, channel, fileLock));
            }
        } catch (FileLockInterruptionException e) {
            threadLock.unlock();
            throw new InterruptedException("interrupted while waiting for the lock of image " + reference);
        } catch (IOException e) {
            threadLock.unlock();
            throw new UncheckedIOException("cannot lock image " + reference + " (" + file + ")", e);
        } catch (RuntimeException e) {
            threadLock.unlock();
            throw e;
        }
        threadLock.unlock();
        return Optional.empty();
    }

    /** The file lock, or null when another process holds it; the channel is closed unless the lock was taken. */
    private static FileLock lockOrClose(FileChannel channel, boolean wait) throws IOException {
        FileLock lock = null;
        try {
            lock = wait ? channel.lock() : channel.tryLock();
            return lock;
        } finally {
            if (lock == null) {
                channel.close();
            }
        }
    }

    @Override
    public void close() {
        try {
            fileLock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the lock of image " + reference, e);
        } finally {
            threadLock.unlock();
        }
    }

    private static ReentrantLock threadLockFor(Path file) {
        ReentrantLock lock = IN_THIS_JVM.computeIfAbsent(file.toAbsolutePath().normalize(), key -> new ReentrantLock());
        if (lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("this thread already holds the lock " + file);
        }
        return lock;
    }

    private static FileChannel open(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }
}
