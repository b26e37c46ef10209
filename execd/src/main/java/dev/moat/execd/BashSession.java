package dev.moat.execd;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * One long-lived interactive bash (see {@link SessionScript}) in its own process group, whose state (directory,
 * variables, functions, aliases) carries over from run to run. One run at a time. A run is stopped like Ctrl-C in a
 * terminal: SIGINT aborts the command and the shell stays. If the command ignores that, TERM goes to the group (the
 * interactive shell ignores it, its children do not), and as a last resort KILL ends the whole session, which the run
 * then says.
 */
final class BashSession implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_STEP = Duration.ofSeconds(2);

    private final String id;
    private final ChildProcess process;
    private final ProcessGroup group;
    private final OutputStream input;
    private final SessionScript script;
    private final ScheduledExecutorService timer;
    private final ReentrantLock busy = new ReentrantLock();
    private final ReentrantLock inputLock = new ReentrantLock();
    private final AtomicLong runs = new AtomicLong();
    private final CompletableFuture<Void> outputClosed;
    private volatile SessionRun current;

    private BashSession(
            String id,
            ChildProcess process,
            ProcessGroup group,
            SessionScript script,
            ScheduledExecutorService timer,
            ExecutorService processThreads) {
        this.id = id;
        this.process = process;
        this.group = group;
        this.input = process.stdin();
        this.script = script;
        this.timer = timer;
        OutputPump stdout = OutputPump.start(process.stdout(), this::onStdout, processThreads);
        OutputPump stderr = OutputPump.start(process.stderr(), this::onStderr, processThreads);
        this.outputClosed = CompletableFuture.allOf(stdout.done(), stderr.done());
        outputClosed.thenRun(() -> {
            SessionRun run = current;
            if (run != null) {
                run.markShellGone();
            }
        });
    }

    /** Starts bash in {@code cwd} (else execd's directory) and waits until it is ready for runs. */
    static BashSession start(String id, Optional<Path> cwd, Path wrapper, CommandRunner runner) {
        Path bash = runner.programs()
                .bash()
                .orElseThrow(() -> ExecdError.NOT_SUPPORTED.exception(
                        "bash is not installed in this sandbox, and sessions need it; install bash or use POST"
                                + " /command"));
        ChildProcess process;
        try {
            process = runner.launcher()
                    .launch(new Launch(
                            List.of(bash.toString(), "--noprofile", "--norc", "--noediting", "-i"),
                            runner.added().variables(),
                            cwd,
                            true,
                            Optional.empty()));
        } catch (IOException e) {
            throw ExecdError.RUNTIME_ERROR.exception("could not start bash for a session: %s", e.getMessage());
        }
        BashSession session = new BashSession(
                id,
                process,
                ProcessGroup.of(process, runner.launcher()),
                new SessionScript(wrapper),
                runner.timer(),
                runner.processThreads());
        session.awaitReady();
        return session;
    }

    private void awaitReady() {
        SessionRun setup = new SessionRun(0, false, line -> {}, line -> {});
        current = setup;
        try {
            if (outputClosed.isDone()) {
                setup.markShellGone();
            }
            type(script.setup());
            setup.ended().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (setup.shellGone()) {
                throw new IOException("bash exited at once");
            }
        } catch (IOException | ExecutionException | TimeoutException e) {
            close();
            throw ExecdError.RUNTIME_ERROR.exception("bash for session %s did not start: %s", id, e);
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw ExecdError.RUNTIME_ERROR.exception("interrupted while starting session %s", id);
        } finally {
            current = null;
        }
    }

    String id() {
        return id;
    }

    /** Completes when the shell has exited, whatever the reason. */
    CompletableFuture<Integer> exited() {
        return process.exit();
    }

    /** Takes the session for one run, or refuses with 409 while another run holds it. */
    void acquire() {
        if (!busy.tryLock()) {
            throw ExecdError.CONFLICT.exception(
                    "session %s is running another command; wait for it to end or interrupt it with DELETE"
                            + " /command?id=%s",
                    id, id);
        }
        if (!process.isAlive()) {
            busy.unlock();
            throw ExecdError.SESSION_NOT_FOUND.exception("session %s has ended: its shell exited", id);
        }
    }

    void release() {
        busy.unlock();
    }

    /** Runs a command (the caller holds {@link #acquire}) and sends its output to {@code stream} as it comes. */
    RunOutcome run(String command, Optional<Path> cwd, Optional<Duration> timeout, ExecutionStream stream)
            throws InterruptedException {
        long startedNanos = System.nanoTime();
        SessionRun run = new SessionRun(runs.incrementAndGet(), cwd.isPresent(), stream::stdout, stream::stderr);
        current = run;
        ScheduledFuture<?> expiry = null;
        try {
            if (outputClosed.isDone()) {
                run.markShellGone();
            }
            stream.onClientGone(() -> stopInBackground(run, "the client disconnected from the stream"));
            if (timeout.isPresent()) {
                long millis = timeout.get().toMillis();
                expiry = timer.schedule(
                        () -> stopInBackground(run, "timed out after " + millis + " ms"),
                        millis,
                        TimeUnit.MILLISECONDS);
            }
            typeOrNoteShellGone(run, script.run(run.sequence(), command, cwd));
            run.ended().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a session run cannot fail: " + e.getCause(), e);
        } finally {
            if (expiry != null) {
                expiry.cancel(false);
            }
            current = null;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        if (run.shellGone()) {
            int code = exitCode();
            String why = run.stopReason().map(reason -> reason + "; ").orElse("");
            return new RunOutcome(
                    code,
                    Optional.of(
                            why + "the session's shell exited, so session " + id + " has ended; create a new session"),
                    millis);
        }
        return new RunOutcome(
                run.exitStatus(),
                run.stopReason().map(reason -> reason + ": execd interrupted the command; the session stays"),
                millis);
    }

    /** Stops the current run, if any, and returns once it has ended (or the session has been killed). */
    void interrupt(String reason) {
        SessionRun run = current;
        if (run != null) {
            stop(run, reason);
        }
    }

    private void stopInBackground(SessionRun run, String reason) {
        Thread.ofVirtual().name("execd-session-stop-" + id).start(() -> stop(run, reason));
    }

    /** Ctrl-C, then TERM to the group, then KILL to the group; each step only if the run has not ended yet. */
    private void stop(SessionRun run, String reason) {
        if (!run.markStopping(reason)) {
            awaitQuietly(run.ended(), STOP_STEP.multipliedBy(3));
            return;
        }
        // a SIGINT while bash still reads the run would abort the reading, not the command
        awaitQuietly(run.started(), STOP_STEP);
        if (run.ended().isDone()) {
            return;
        }
        group.signal(ProcessGroup.Signal.INT);
        // generous: on a loaded machine a run that obeys Ctrl-C may take a while to report its end
        if (awaitQuietly(run.ended(), STOP_STEP)) {
            return;
        }
        // the SIGINT may have cut the run's end markers short: have the shell print them again
        typeOrNoteShellGone(run, script.end(run.sequence(), run.restoresDirectory()));
        if (awaitQuietly(run.ended(), STOP_STEP)) {
            return;
        }
        group.signal(ProcessGroup.Signal.TERM);
        if (awaitQuietly(run.ended(), STOP_STEP)) {
            return;
        }
        group.signal(ProcessGroup.Signal.KILL);
    }

    private int exitCode() throws InterruptedException {
        try {
            return process.exit().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot learn how the shell of session " + id + " ended", e.getCause());
        }
    }

    private static boolean awaitQuietly(CompletableFuture<?> future, Duration limit) {
        try {
            future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void typeOrNoteShellGone(SessionRun run, String text) {
        try {
            type(text);
        } catch (IOException e) {
            // the shell has exited: its output ends, and the run reports that
            run.markShellGone();
        }
    }

    private void type(String text) throws IOException {
        inputLock.lock();
        try {
            input.write(text.getBytes(StandardCharsets.UTF_8));
            input.flush();
        } finally {
            inputLock.unlock();
        }
    }

    private void onStdout(String line) {
        SessionRun run = current;
        markerOf(line, run, SessionRun::stdout).ifPresent(marker -> {
            if (marker.equals("start")) {
                run.markStarted();
            } else if (marker.startsWith("end:")) {
                run.markStdoutEnded(parseStatus(marker.substring("end:".length())));
            }
        });
    }

    private void onStderr(String line) {
        SessionRun run = current;
        markerOf(line, run, SessionRun::stderr).filter("end"::equals).ifPresent(marker -> run.markStderrEnded());
    }

    /**
     * Passes the output part of a line on to the run, and returns what follows the marker when the line carries one
     * of this run (a marker of an earlier run, printed again after it had ended, is dropped).
     */
    private Optional<String> markerOf(String line, SessionRun run, BiConsumer<SessionRun, String> output) {
        if (run == null) {
            return Optional.empty();
        }
        int at = line.indexOf(script.marker());
        if (at < 0) {
            output.accept(run, line);
            return Optional.empty();
        }
        if (at > 0) {
            // the command's last line had no newline: the marker follows it on the same line
            output.accept(run, line.substring(0, at));
        }
        String marker = line.substring(at + script.marker().length());
        String ofThisRun = run.sequence() + ":";
        return marker.startsWith(ofThisRun) ? Optional.of(marker.substring(ofThisRun.length())) : Optional.empty();
    }

    private static int parseStatus(String status) {
        try {
            return Integer.parseInt(status);
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /**
     * Kills the shell and everything in its process group, and waits (briefly) until it has exited. A run in progress
     * ends with {@code reason}.
     */
    void end(String reason) {
        SessionRun run = current;
        if (run != null) {
            run.markStopping(reason);
        }
        if (process.isAlive()) {
            group.signal(ProcessGroup.Signal.KILL);
        }
        inputLock.lock();
        try {
            input.close();
        } catch (IOException e) {
            // the shell is being killed; its end of the pipe is gone already
        } finally {
            inputLock.unlock();
        }
        awaitQuietly(process.exit(), STOP_STEP);
    }

    @Override
    public void close() {
        end("execd closed the session");
    }
}
