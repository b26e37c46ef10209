package dev.moat.execd;

import dev.moat.protocol.ExecEvent;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Runs code sent to {@code POST /code} without a language as a one-off shell command, as OpenSandbox's execd does
 * (the spec's "stateless" example is {@code echo "Hello from shell"}): {@code bash -c} ({@code sh -c} where bash is
 * missing) in its own process group, stdin from {@code /dev/null}, one event per output line, and
 * {@code execution_complete} on exit code 0, else {@code error} {@code CommandExecError} with the exit code. Nothing
 * is kept between runs. An interrupt sends SIGTERM to the group, then SIGKILL after a grace period.
 */
final class StatelessShell {

    static final Duration KILL_GRACE = Duration.ofSeconds(3);
    private static final List<String> SHELL = ProcessGroups.executable("/bin/bash", "/usr/bin/bash")
            .map(bash -> List.of(bash.toString(), "-c"))
            .orElse(List.of("/bin/sh", "-c"));

    private final Map<String, Process> running = new ConcurrentHashMap<>();
    private final AddedEnvironment added;

    StatelessShell(AddedEnvironment added) {
        this.added = added;
    }

    /** A fresh run id, also what {@code DELETE /code?id=} takes to interrupt it. */
    String newId() {
        return "shell-" + UUID.randomUUID().toString().replace("-", "");
    }

    /**
     * Runs {@code code}, sending its events to {@code sink} (from several threads), and returns the terminal event. A
     * run whose client is gone ({@code wanted} is false) by the time the process started is stopped at once.
     */
    ExecEvent run(String id, String code, Consumer<ExecEvent> sink, BooleanSupplier wanted)
            throws InterruptedException {
        long started = System.nanoTime();
        List<String> command = new ArrayList<>(ProcessGroups.leaderPrefix());
        command.addAll(SHELL);
        command.add(code);
        Process process;
        try {
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(added.variables());
            process = builder.start();
        } catch (IOException e) {
            return emit(sink, error("CommandExecError", "could not start " + SHELL.getFirst() + ": " + e.getMessage()));
        }
        running.put(id, process);
        try {
            if (!wanted.getAsBoolean()) {
                interrupt(id);
            }
            Thread out = pump(process.getInputStream(), line -> sink.accept(new ExecEvent.Stdout(line, now())));
            Thread err = pump(process.getErrorStream(), line -> sink.accept(new ExecEvent.Stderr(line, now())));
            int exit = process.waitFor();
            out.join();
            err.join();
            if (exit == 0) {
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                return emit(sink, new ExecEvent.Complete(millis, now()));
            }
            return emit(sink, error("CommandExecError", Integer.toString(exit)));
        } finally {
            running.remove(id);
        }
    }

    /** Stops a run: SIGTERM to its group, SIGKILL after {@link #KILL_GRACE}; {@code false} when no such run is going. */
    boolean interrupt(String id) {
        Process process = running.get(id);
        if (process == null) {
            return false;
        }
        signal(process, ProcessGroups.SIGTERM);
        Thread.ofVirtual().start(() -> {
            try {
                if (!process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    signal(process, ProcessGroups.SIGKILL);
                }
            } catch (InterruptedException e) {
                signal(process, ProcessGroups.SIGKILL);
            }
        });
        return true;
    }

    private static void signal(Process process, int signal) {
        if (ProcessGroups.available()) {
            ProcessGroups.signalGroup(process.pid(), signal);
        } else {
            ProcessGroups.signal(process.pid(), signal);
        }
    }

    private static Thread pump(InputStream stream, Consumer<String> lines) {
        return Thread.ofVirtual().start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    lines.accept(line);
                }
            } catch (IOException e) {
                // the process is gone and its pipe closed: nothing more to read
            }
        });
    }

    private static ExecEvent emit(Consumer<ExecEvent> sink, ExecEvent event) {
        sink.accept(event);
        return event;
    }

    private static ExecEvent error(String name, String value) {
        return new ExecEvent.Error(new ExecEvent.ErrorDetail(name, value, List.of()), now());
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}
