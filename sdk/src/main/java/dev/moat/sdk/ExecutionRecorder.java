package dev.moat.sdk;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Collects an execution's events into an {@link Execution} and hands each to the caller's handler first. */
final class ExecutionRecorder {

    private final ExecutionHandler handler;
    private final boolean command;
    private String id = "";
    private final List<String> stdout = new ArrayList<>();
    private final List<String> stderr = new ArrayList<>();
    private final List<ExecutionResult> results = new ArrayList<>();
    private ExecutionError error;
    private Duration executionTime;
    private OptionalInt executionCount = OptionalInt.empty();
    private boolean ended;

    /** {@code command}: whether the run is a shell command, whose exit code is read from its terminal event. */
    ExecutionRecorder(ExecutionHandler handler, boolean command) {
        this.handler = handler;
        this.command = command;
    }

    void accept(ExecEvent event) {
        handler.onEvent(event);
        if (event instanceof ExecEvent.Init) {
            String eventId = ((ExecEvent.Init) event).id();
            if (!eventId.isEmpty()) {
                id = eventId;
            }
            handler.onInit(id);
        } else if (event instanceof ExecEvent.Stdout) {
            String text = ((ExecEvent.Stdout) event).text();
            stdout.add(text);
            handler.onStdout(text);
        } else if (event instanceof ExecEvent.Stderr) {
            String text = ((ExecEvent.Stderr) event).text();
            stderr.add(text);
            handler.onStderr(text);
        } else if (event instanceof ExecEvent.Result) {
            ExecEvent.Result result = (ExecEvent.Result) event;
            results.add(result.result());
            if (result.executionCount().isPresent()) {
                executionCount = result.executionCount();
            }
            handler.onResult(result.result());
        } else if (event instanceof ExecEvent.ExecutionCount) {
            executionCount = OptionalInt.of(((ExecEvent.ExecutionCount) event).executionCount());
        } else if (event instanceof ExecEvent.Complete) {
            ended = true;
            executionTime = ((ExecEvent.Complete) event).executionTime();
            handler.onComplete(executionTime);
        } else if (event instanceof ExecEvent.Error) {
            ended = true;
            error = ((ExecEvent.Error) event).error();
            handler.onError(error);
        }
        // Status, Ping and Unknown events only reach onEvent.
    }

    /** Whether a terminal event arrived. */
    boolean ended() {
        return ended;
    }

    Execution execution() {
        return new Execution(
                id,
                stdout,
                stderr,
                results,
                Optional.ofNullable(error),
                command ? exitCode() : OptionalInt.empty(),
                executionCount,
                Optional.ofNullable(executionTime));
    }

    private OptionalInt exitCode() {
        if (error == null) {
            return ended ? OptionalInt.of(0) : OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(error.value().strip()));
        } catch (NumberFormatException e) {
            // the command could not start ("no such directory"): there is no exit code to report
            return OptionalInt.empty();
        }
    }
}
