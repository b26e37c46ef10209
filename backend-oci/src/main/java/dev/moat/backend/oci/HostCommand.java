package dev.moat.backend.oci;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program on the host and collects what it printed, with a time limit: a program that overruns is killed and
 * reported as timed out, never waited for forever.
 */
final class HostCommand {

    private HostCommand() {}

    /** What a finished program left: exit status and output. {@code exitCode} is -1 when it timed out. */
    record Result(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut) {

        boolean ok() {
            return exitCode == 0 && !timedOut;
        }

        /** What the program printed, for error messages: stderr if any, else stdout, trimmed. */
        String output() {
            String text = stderr.isBlank() ? stdout : stderr;
            return text.strip();
        }

        /** One line for an error message: {@code 'runc kill x' exited 1: container not running}. */
        String describe() {
            String name = String.join(" ", command);
            if (timedOut) {
                return "'" + name + "' did not finish in time";
            }
            String output = output();
            return "'" + name + "' exited " + exitCode + (output.isEmpty() ? "" : ": " + output);
        }
    }

    /** Runs {@code command} with its output collected through pipes. */
    static Result run(List<String> command, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(DEV_NULL);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return cannotStart(command, e);
        }
        CompletableFuture<String> out = read(process.getInputStream());
        CompletableFuture<String> err = read(process.getErrorStream());
        boolean finished = waitFor(process, timeout);
        return new Result(command, finished ? process.exitValue() : -1, collect(out), collect(err), !finished);
    }

    /**
     * Runs {@code command} with stdout and stderr appended to {@code log}: for programs that leave children holding
     * their output open (a detached container), where a pipe would never reach its end. The result's stderr is what
     * the program added to the log.
     */
    static Result runLogged(List<String> command, Duration timeout, Path log) {
        long start = size(log);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(DEV_NULL)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return cannotStart(command, e);
        }
        boolean finished = waitFor(process, timeout);
        return new Result(command, finished ? process.exitValue() : -1, "", tail(log, start), !finished);
    }

    private static final ProcessBuilder.Redirect DEV_NULL = ProcessBuilder.Redirect.from(new java.io.File("/dev/null"));
    private static final int TAIL_BYTES = 4096;

    private static boolean waitFor(Process process, Duration timeout) {
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            return false;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Result cannotStart(List<String> command, IOException e) {
        return new Result(command, 127, "", "cannot start " + command.getFirst() + ": " + e.getMessage(), false);
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** What was appended to {@code file} after {@code from}, at most its last few kilobytes. */
    private static String tail(Path file, long from) {
        try (var channel = Files.newByteChannel(file)) {
            long start = Math.max(from, channel.size() - TAIL_BYTES);
            channel.position(start);
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) Math.max(0, channel.size() - start));
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // read all
            }
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static CompletableFuture<String> read(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.complete("");
            }
        });
        return text;
    }

    private static String collect(CompletableFuture<String> text) {
        try {
            return text.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
