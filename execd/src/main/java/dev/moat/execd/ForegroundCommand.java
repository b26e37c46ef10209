package dev.moat.execd;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A started foreground command whose output goes to one client's event stream, line by line as it is printed. */
final class ForegroundCommand {

    /**
     * How long the pipes may stay empty, but open, after the shell exited. Normally they reach end of file at once;
     * when a process the command left behind keeps them open, the stream ends after this instead of waiting for it.
     */
    private static final long QUIET_MILLIS = 500;

    private final CommandRecord record;
    private final ChildProcess process;
    private final long startedNanos;
    private final CommandRunner runner;

    ForegroundCommand(CommandRecord record, ChildProcess process, long startedNanos, CommandRunner runner) {
        this.record = record;
        this.process = process;
        this.startedNanos = startedNanos;
        this.runner = runner;
    }

    String id() {
        return record.id();
    }

    /** Stops the command (TERM to its group, KILL after the grace period). */
    void stop(String reason) {
        runner.stop(record, reason);
    }

    /** Streams stdout and stderr until the command has exited, and returns how it ended. */
    RunOutcome streamTo(ExecutionStream stream) throws InterruptedException {
        OutputPump stdout = OutputPump.start(process.stdout(), stream::stdout, runner.processThreads());
        OutputPump stderr = OutputPump.start(process.stderr(), stream::stderr, runner.processThreads());
        int exitCode = exitCode();
        long exited = System.nanoTime();
        CompletableFuture<Void> both = CompletableFuture.allOf(stdout.done(), stderr.done());
        // a leftover process may hold the pipes open: stop waiting once both have stayed empty for a while
        while (!both.isDone() && !(stdout.quiet(exited, QUIET_MILLIS) && stderr.quiet(exited, QUIET_MILLIS))) {
            try {
                both.get(QUIET_MILLIS / 10, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // not yet: look again
            }
        }
        runner.finish(record, exitCode, startedNanos);
        return record.outcome().join();
    }

    private int exitCode() throws InterruptedException {
        try {
            return process.exit().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot learn how command " + record.id() + " ended", e.getCause());
        }
    }
}
