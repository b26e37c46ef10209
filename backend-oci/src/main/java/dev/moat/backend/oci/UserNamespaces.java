package dev.moat.backend.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * User namespaces with a given id mapping, kept open as file descriptors for idmapped mounts. A namespace outlives
 * the short-lived process that creates it as long as its descriptor stays open, so each mapping costs one process
 * once; descriptors are closed with this object.
 */
final class UserNamespaces implements AutoCloseable {

    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(10);

    /** One line of a uid_map/gid_map: namespace ids {@code [inside, inside+size)} are host ids from {@code outside}. */
    record Mapping(long inside, long outside, long size) {
        String line() {
            return inside + " " + outside + " " + size + "\n";
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Mapping, Integer> open = new HashMap<>();

    /** A descriptor of a user namespace whose uid and gid maps are both {@code mapping}; owned by this object. */
    int descriptor(Mapping mapping) throws IOException {
        lock.lock();
        try {
            Integer fd = open.get(mapping);
            if (fd == null) {
                fd = create(mapping);
                open.put(mapping, fd);
            }
            return fd;
        } finally {
            lock.unlock();
        }
    }

    /** Closes the namespace of {@code mapping} if this object holds it (its uid range was given back). */
    void forget(Mapping mapping) {
        lock.lock();
        try {
            Integer fd = open.remove(mapping);
            if (fd != null) {
                LinuxMounts.close(fd);
            }
        } finally {
            lock.unlock();
        }
    }

    private static int create(Mapping mapping) throws IOException {
        // unshare(1) moves itself into a new user namespace and then execs sleep; once /proc/PID/ns/user differs
        // from ours the namespace exists and, as root in the parent namespace, we may write its maps.
        Process holder = new ProcessBuilder(List.of("unshare", "--user", "--", "sleep", "30"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            Path proc = Path.of("/proc", Long.toString(holder.pid()));
            Path own = Files.readSymbolicLink(Path.of("/proc/self/ns/user"));
            long deadline = System.nanoTime() + CREATE_TIMEOUT.toNanos();
            while (Files.readSymbolicLink(proc.resolve("ns/user")).equals(own)) {
                if (!holder.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("'unshare --user' could not create a user namespace"
                            + (holder.isAlive() ? " in time" : " (exit " + holder.exitValue() + ")"));
                }
                Thread.onSpinWait();
                Thread.sleep(0, 200_000);
            }
            Files.writeString(proc.resolve("uid_map"), mapping.line());
            Files.writeString(proc.resolve("gid_map"), mapping.line());
            return LinuxMounts.open(proc.resolve("ns/user"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating a user namespace", e);
        } finally {
            holder.destroyForcibly();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            open.values().forEach(LinuxMounts::close);
            open.clear();
        } finally {
            lock.unlock();
        }
    }
}
