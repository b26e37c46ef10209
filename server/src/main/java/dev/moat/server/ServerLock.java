package dev.moat.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code $MOAT_HOME/server.lock}: one server per Moat home. Two servers on the same home would each take the other's
 * sandboxes for orphans and remove them. The lock is an OS file lock, so it goes with the process however the process
 * ends (even {@code kill -9}); the file holds the pid of the server that has it, for the message.
 */
final class ServerLock implements AutoCloseable {

    static final String FILE_NAME = "server.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private ServerLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock of {@code moatHome}, or fails with {@link Held} naming the server that has it. */
    static ServerLock acquire(Path moatHome) throws IOException {
        Files.createDirectories(moatHome);
        Path file = moatHome.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
            throw new Held("another Moat server" + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                    + " is running with MOAT_HOME=" + moatHome
                    + "; stop it first, or give this one its own MOAT_HOME");
        }
        channel.truncate(0);
        channel.write(
                java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)));
        channel.force(false);
        return new ServerLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }

    /** The home is in use by another server. */
    static final class Held extends RuntimeException {
        Held(String message) {
            super(message);
        }
    }
}
