package dev.moat.execd;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A kernel's operating-system process. It leads its own process group ({@code setsid}), so an interrupt or a kill
 * reaches the programs a cell started too, and it dies with execd: {@code setpriv --pdeathsig KILL} where available,
 * and {@code JPY_PARENT_PID} for kernels (like ipykernel) that watch their parent. Its merged stdout and stderr are
 * drained all the time; the last few kilobytes are kept to explain a kernel that fails.
 */
final class KernelProcess {

    private static final int TAIL_BYTES = 4096;
    private static final Optional<Path> SETPRIV = ProcessGroups.executable("/usr/bin/setpriv", "/bin/setpriv");

    /**
     * Starts every kernel. The parent-death signal fires when the thread that forked the child ends, not the JVM; this
     * platform thread lives as long as execd, a pooled or virtual thread would not.
     */
    private static final ExecutorService SPAWNER = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("kernel-spawner").factory());

    private static volatile Boolean pdeathsigWorks;

    private final Process process;
    private final boolean ownGroup;
    private final OutputTail tail = new OutputTail();

    private KernelProcess(Process process, boolean ownGroup) {
        this.process = process;
        this.ownGroup = ownGroup;
        Thread.ofVirtual().name("kernel-output-" + process.pid()).start(() -> tail.drain(process.getInputStream()));
    }

    static KernelProcess start(KernelSpec spec, Map<String, String> added, Path connectionFile) throws IOException {
        List<String> command = new ArrayList<>(ProcessGroups.leaderPrefix());
        if (SETPRIV.isPresent() && pdeathsigWorks()) {
            command.addAll(List.of(SETPRIV.get().toString(), "--pdeathsig", "KILL", "--"));
        }
        command.addAll(spec.command(connectionFile));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.putAll(added);
        environment.putAll(spec.env());
        environment.put("JPY_PARENT_PID", Long.toString(ProcessHandle.current().pid()));
        // ipykernel's debugger warns about frozen modules on every start; the warning would bury real start-up errors
        environment.putIfAbsent("PYDEVD_DISABLE_FILE_VALIDATION", "1");
        return new KernelProcess(spawn(builder), ProcessGroups.available());
    }

    private static Process spawn(ProcessBuilder builder) throws IOException {
        try {
            return SPAWNER.submit(builder::start).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("could not start " + builder.command(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + builder.command(), e);
        } catch (TimeoutException e) {
            throw new IOException("starting " + builder.command() + " took more than 30 s", e);
        }
    }

    /** Whether this host's setpriv knows {@code --pdeathsig} (util-linux 2.33 and later); asked once. */
    private static boolean pdeathsigWorks() {
        Boolean known = pdeathsigWorks;
        if (known == null) {
            try {
                Process probe = new ProcessBuilder(
                                SETPRIV.orElseThrow().toString(), "--pdeathsig", "KILL", "--", "/bin/sh", "-c", ":")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                known = probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
            } catch (IOException e) {
                known = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                known = false;
            }
            pdeathsigWorks = known;
        }
        return known;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    /** SIGINT to the kernel and whatever its cell started, as Jupyter does for {@code interrupt_mode: signal}. */
    void interrupt() {
        new ProcessGroup(process.pid(), ownGroup).signal(ProcessGroup.Signal.INT);
    }

    /** Waits up to {@code grace} for the kernel to exit by itself, then kills its whole process group. */
    void stop(Duration grace) {
        try {
            process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill();
    }

    /** SIGKILL to the process group (what the kernel started too) and waits until the kernel is gone. */
    void kill() {
        List<ProcessHandle> descendants = process.descendants().toList();
        if (ownGroup) {
            new ProcessGroup(process.pid(), true).signal(ProcessGroup.Signal.KILL);
        }
        process.destroyForcibly();
        // children that left the group (setsid, daemons) are not in it
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How the process ended, for messages: {@code exited with code 1}, {@code was killed by signal 9}. */
    String describeExit() {
        if (process.isAlive()) {
            return "is still running";
        }
        int code = process.exitValue();
        return code > 128 ? "was killed by signal " + (code - 128) : "exited with code " + code;
    }

    /** The last lines the kernel wrote to its own stdout and stderr. */
    String outputTail() {
        return tail.text();
    }

    /** Keeps the last {@link #TAIL_BYTES} of a stream it reads to the end. */
    private static final class OutputTail {
        private final byte[] ring = new byte[TAIL_BYTES];
        private long written;

        void drain(InputStream in) {
            byte[] chunk = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    append(chunk, n);
                }
            } catch (IOException e) {
                // the kernel is gone; what was read is all there is
            }
        }

        private synchronized void append(byte[] chunk, int length) {
            for (int i = 0; i < length; i++) {
                ring[(int) (written++ % TAIL_BYTES)] = chunk[i];
            }
        }

        synchronized String text() {
            int size = (int) Math.min(written, TAIL_BYTES);
            byte[] bytes = new byte[size];
            long start = written - size;
            for (int i = 0; i < size; i++) {
                bytes[i] = ring[(int) ((start + i) % TAIL_BYTES)];
            }
            return new String(bytes, StandardCharsets.UTF_8).strip();
        }
    }
}
