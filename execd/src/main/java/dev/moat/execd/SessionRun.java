package dev.moat.execd;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One command run in a {@link BashSession}: where its output lines go, and the markers the shell prints around it.
 * It has started once the shell has read all of it and begins to execute it; it has ended once the end markers came
 * on both stdout (with the exit status) and stderr, so every line it printed was passed on, or once the shell died.
 */
final class SessionRun {

    private final long sequence;
    private final boolean restoresDirectory;
    private final Consumer<String> stdout;
    private final Consumer<String> stderr;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> stdoutEnded = new CompletableFuture<>();
    private final CompletableFuture<Void> stderrEnded = new CompletableFuture<>();
    private final CompletableFuture<Void> ended = CompletableFuture.allOf(stdoutEnded, stderrEnded);
    private final AtomicReference<String> stopReason = new AtomicReference<>();
    private volatile int exitStatus = -1;
    private volatile boolean shellGone;

    SessionRun(long sequence, boolean restoresDirectory, Consumer<String> stdout, Consumer<String> stderr) {
        this.sequence = sequence;
        this.restoresDirectory = restoresDirectory;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    long sequence() {
        return sequence;
    }

    /** Whether this run changed into a requested directory that its end goes back out of. */
    boolean restoresDirectory() {
        return restoresDirectory;
    }

    void stdout(String line) {
        if (!stdoutEnded.isDone()) {
            stdout.accept(line);
        }
    }

    void stderr(String line) {
        if (!stderrEnded.isDone()) {
            stderr.accept(line);
        }
    }

    void markStarted() {
        started.complete(null);
    }

    void markStdoutEnded(int status) {
        if (!stdoutEnded.isDone()) {
            exitStatus = status;
            stdoutEnded.complete(null);
        }
    }

    void markStderrEnded() {
        stderrEnded.complete(null);
    }

    /** The shell exited (or was killed) before the run ended. */
    void markShellGone() {
        shellGone = true;
        started.complete(null);
        stdoutEnded.complete(null);
        stderrEnded.complete(null);
    }

    CompletableFuture<Void> started() {
        return started;
    }

    /** Completes when the run has ended or the shell is gone. */
    CompletableFuture<Void> ended() {
        return ended;
    }

    boolean shellGone() {
        return shellGone;
    }

    int exitStatus() {
        return exitStatus;
    }

    /** Notes why execd is stopping this run; {@code false} if it was already being stopped. */
    boolean markStopping(String reason) {
        return stopReason.compareAndSet(null, reason);
    }

    Optional<String> stopReason() {
        return Optional.ofNullable(stopReason.get());
    }
}
