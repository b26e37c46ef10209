package dev.moat.bench;

import dev.moat.backend.oci.OciMeasurements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An execd started by its real launcher ({@code <runtime>/bin/execd}) on a Unix socket in a fresh directory, as
 * {@code ./moat execd} starts it. Knows how long it took to answer {@code /ping}, the memory of its process tree, and
 * stops the tree (and removes the directory) on close.
 */
final class LocalExecd implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path directory;
    private final UnixHttp http;
    private final double readyMillis;
    private final double readyCpuMillis;

    private LocalExecd(Process process, Path directory, UnixHttp http, double readyMillis, double readyCpuMillis) {
        this.process = process;
        this.directory = directory;
        this.http = http;
        this.readyMillis = readyMillis;
        this.readyCpuMillis = readyCpuMillis;
    }

    /** Starts execd and returns once {@code /ping} answered 200; the clock runs from just before the fork. */
    static LocalExecd start(Path runtime) throws IOException, InterruptedException {
        Path directory = Files.createTempDirectory("moat-bench-execd-");
        Path socket = directory.resolve("execd.sock");
        UnixHttp http = new UnixHttp(socket);
        long start = System.nanoTime();
        Process process = new ProcessBuilder(runtime.resolve("bin/execd").toString(), "--socket", socket.toString())
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("execd.log").toFile())
                .start();
        LocalExecd execd = new LocalExecd(process, directory, http, 0, 0);
        long deadline = start + READY_TIMEOUT.toNanos();
        while (!answersPing(http)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String log = Files.readString(directory.resolve("execd.log"));
                execd.close();
                throw new IllegalStateException("execd did not answer /ping (log follows)\n" + log);
            }
            Thread.sleep(0, 200_000);
        }
        double ready = (System.nanoTime() - start) / 1e6;
        return new LocalExecd(process, directory, http, ready, cpuMillis(process.pid()));
    }

    /** User and system CPU time of a process (all its threads) so far, from {@code /proc/<pid>/stat}. */
    private static double cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields 14 and 15 of stat (utime, stime), counted from the state field (3) here, in clock ticks of 10 ms
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10.0;
    }

    private static boolean answersPing(UnixHttp http) {
        try {
            return http.get("/ping").status() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    double readyMillis() {
        return readyMillis;
    }

    /** CPU time execd had used when it first answered {@code /ping}. */
    double readyCpuMillis() {
        return readyCpuMillis;
    }

    UnixHttp http() {
        return http;
    }

    /** PSS of execd and every process below it (a started kernel, for one). */
    long treePssBytes() {
        return Stream.concat(Stream.of(process.toHandle()), process.descendants())
                .mapToLong(handle -> OciMeasurements.processPssBytes(handle.pid()))
                .sum();
    }

    /** PSS of execd's own process. */
    long ownPssBytes() {
        return OciMeasurements.processPssBytes(process.pid());
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
