package dev.moat.execd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts processes with posix_spawn(3): one program start per command, in a new session, with default signal
 * dispositions and none of execd's descriptors. Each child is reaped by a platform thread blocked in waitpid, the way
 * the JDK's own process reaper works.
 */
final class SpawnLauncher implements ProcessLauncher {

    /** What execd logs when commands start to go through this launcher. */
    static final String READY = "commands start through posix_spawn(3) from now on";

    private static final List<String> INHERITED_ENVIRONMENT = environmentStrings(System.getenv());

    private final ExecutorService threads;

    SpawnLauncher(ExecutorService threads) {
        this.threads = threads;
    }

    @Override
    public boolean ownProcessGroups() {
        return true;
    }

    @Override
    public ChildProcess launch(Launch launch) throws IOException {
        List<Integer> parentEnds = new ArrayList<>();
        List<Integer> childEnds = new ArrayList<>();
        try {
            PosixSpawn.Pipe in = launch.pipeStdin() ? track(PosixSpawn.pipe(), parentEnds, childEnds, false) : null;
            boolean piped = launch.outputFile().isEmpty();
            PosixSpawn.Pipe out = piped ? track(PosixSpawn.pipe(), parentEnds, childEnds, true) : null;
            PosixSpawn.Pipe err = piped ? track(PosixSpawn.pipe(), parentEnds, childEnds, true) : null;
            int pid = PosixSpawn.spawn(
                    launch.argv(),
                    environment(launch.environment()),
                    launch.cwd(),
                    in == null ? -1 : in.read(),
                    out == null ? -1 : out.write(),
                    err == null ? -1 : err.write(),
                    launch.outputFile());
            childEnds.forEach(PosixSpawn::close);
            childEnds.clear();
            Spawned child = new Spawned(
                    pid,
                    out == null ? InputStream.nullInputStream() : new PipeInput(out.read()),
                    err == null ? InputStream.nullInputStream() : new PipeInput(err.read()),
                    in == null ? OutputStream.nullOutputStream() : new PipeOutput(in.write()));
            parentEnds.clear();
            threads.execute(child::reap);
            return child;
        } finally {
            childEnds.forEach(PosixSpawn::close);
            parentEnds.forEach(PosixSpawn::close);
        }
    }

    /** Notes which end of the pipe stays with execd (closed if the start fails) and which goes to the child. */
    private static PosixSpawn.Pipe track(
            PosixSpawn.Pipe pipe, List<Integer> parentEnds, List<Integer> childEnds, boolean parentReads) {
        parentEnds.add(parentReads ? pipe.read() : pipe.write());
        childEnds.add(parentReads ? pipe.write() : pipe.read());
        return pipe;
    }

    private static List<String> environment(Map<String, String> overrides) {
        if (overrides.isEmpty()) {
            return INHERITED_ENVIRONMENT;
        }
        Map<String, String> merged = new LinkedHashMap<>(System.getenv());
        merged.putAll(overrides);
        return environmentStrings(merged);
    }

    private static List<String> environmentStrings(Map<String, String> environment) {
        return environment.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue())
                .toList();
    }

    /** A spawned child and the execd ends of its pipes. */
    private record Spawned(
            int pidNumber, InputStream stdout, InputStream stderr, OutputStream stdin, CompletableFuture<Integer> exit)
            implements ChildProcess {

        Spawned(int pid, InputStream stdout, InputStream stderr, OutputStream stdin) {
            this(pid, stdout, stderr, stdin, new CompletableFuture<>());
        }

        @Override
        public long pid() {
            return pidNumber;
        }

        void reap() {
            try {
                exit.complete(PosixSpawn.waitFor(pidNumber));
            } catch (IOException | RuntimeException e) {
                exit.completeExceptionally(e);
            }
        }
    }

    /**
     * The read end of a pipe. Reads block their (platform) thread; only the reading thread closes it, so a descriptor
     * number is never reused under a read in progress.
     */
    private static final class PipeInput extends InputStream {
        private final int fd;
        private final MemorySegment buffer = Arena.ofAuto().allocate(8192);
        private final AtomicBoolean closed = new AtomicBoolean();

        PipeInput(int fd) {
            this.fd = fd;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            int n = PosixSpawn.read(fd, buffer.asSlice(0, Math.min(length, buffer.byteSize())));
            if (n == 0) {
                return -1;
            }
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, bytes, offset, n);
            return n;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                PosixSpawn.close(fd);
            }
        }
    }

    /** The write end of a pipe; writes and close are serialized so a close never lands under a write. */
    private static final class PipeOutput extends OutputStream {
        private final int fd;
        private boolean closed;

        PipeOutput(int fd) {
            this.fd = fd;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
            if (closed) {
                throw new IOException("pipe is closed");
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment segment = arena.allocate(Math.max(1, length));
                MemorySegment.copy(bytes, offset, segment, ValueLayout.JAVA_BYTE, 0, length);
                PosixSpawn.write(fd, segment.asSlice(0, length));
            }
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                PosixSpawn.close(fd);
            }
        }
    }
}
