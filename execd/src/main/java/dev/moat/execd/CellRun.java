package dev.moat.execd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moat.protocol.ExecEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * One execution of a cell: sends the {@code execute_request}, turns what the kernel publishes about it into stream
 * events, and ends with exactly one terminal event. Events, in order: {@code execution_count} (once), {@code stdout} and
 * {@code stderr} one per line, {@code result} for every {@code execute_result} and {@code display_data} (its MIME
 * bundle as sent), then {@code execution_complete}, or {@code error} when the code raised, was interrupted, or the
 * kernel went away.
 *
 * <p>The kernel's messages arrive on the connection's thread and are queued here; the thread that executes the cell
 * reads the queue, so a slow client slows only its own cell.
 */
final class CellRun implements KernelClient.Listener {

    /** Output messages held for a slow client before further output is dropped (and the drop reported). */
    static final int MAX_PENDING_OUTPUT = 10_000;

    private static final long PARTIAL_LINE_WAIT = TimeUnit.SECONDS.toNanos(1);
    private static final long IDLE_AFTER_REPLY_WAIT = TimeUnit.SECONDS.toNanos(5);
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]");

    /** What the cell's thread reads: a kernel message, the end of the connection, or an interrupt. */
    private sealed interface Incoming {
        record Message(KernelChannel channel, JupyterMessage message) implements Incoming {}

        record Closed(String reason) implements Incoming {}

        record Interrupt() implements Incoming {}
    }

    /** What the cell needs from its kernel. */
    interface Host {
        KernelClient client();

        /** Interrupts the kernel the way its kernelspec asks. */
        void interruptKernel();

        /** Why the kernel is gone, for the error event of a cell it took down. */
        ExecEvent.ErrorDetail ending(String connectionClosedReason);
    }

    private final Host host;
    private final String code;
    private final BlockingQueue<Incoming> inbox = new LinkedBlockingQueue<>();
    private final AtomicInteger pendingOutput = new AtomicInteger();
    private final AtomicInteger droppedOutput = new AtomicInteger();
    private final StreamLines stdout = new StreamLines();
    private final StreamLines stderr = new StreamLines();
    private final boolean silent;
    private Consumer<ExecEvent> sink;
    private boolean executing;
    private boolean interruptWanted;
    private boolean replied;
    private boolean idle;
    private long repliedAt;
    private boolean countSent;
    private ExecEvent.ErrorDetail error;
    private JsonNode reply;

    CellRun(Host host, String code) {
        this(host, code, false);
    }

    /** A silent cell runs without output, history or a bump of {@code execution_count} (Jupyter's {@code silent}). */
    CellRun(Host host, String code, boolean silent) {
        this.host = host;
        this.code = code;
        this.silent = silent;
    }

    /** Asks the running cell to stop; an interrupt before the kernel starts the cell is held until it does. */
    void interrupt() {
        inbox.add(new Incoming.Interrupt());
    }

    /** Runs the cell, sends every event to {@code sink} and returns the terminal one. */
    ExecEvent execute(Consumer<ExecEvent> sink) throws InterruptedException {
        this.sink = sink;
        long started = System.nanoTime();
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("code", code);
        request.put("silent", silent);
        request.put("store_history", !silent);
        request.put("user_expressions", Map.of());
        request.put("allow_stdin", false);
        // each cell is its own request: one that fails must not make the kernel abort the next one
        request.put("stop_on_error", false);
        String msgId = host.client().send(KernelChannel.SHELL, "execute_request", request, this);
        try {
            while (true) {
                Incoming next = inbox.poll(200, TimeUnit.MILLISECONDS);
                long now = System.nanoTime();
                flushOldPartialLines(now);
                switch (next) {
                    case null -> {}
                    case Incoming.Interrupt ignored -> {
                        interruptWanted = true;
                        interruptIfExecuting();
                    }
                    case Incoming.Closed closed -> {
                        return finish(new ExecEvent.Error(host.ending(closed.reason()), now()));
                    }
                    case Incoming.Message message -> handle(message.channel(), message.message(), now);
                }
                if (replied && (idle || now - repliedAt > IDLE_AFTER_REPLY_WAIT)) {
                    return finish(terminal(started));
                }
            }
        } finally {
            host.client().forget(msgId);
        }
    }

    @Override
    public void onMessage(KernelChannel channel, JupyterMessage message) {
        if (isOutput(message.type()) && pendingOutput.incrementAndGet() > MAX_PENDING_OUTPUT) {
            pendingOutput.decrementAndGet();
            droppedOutput.incrementAndGet();
            return;
        }
        inbox.add(new Incoming.Message(channel, message));
    }

    @Override
    public void onClosed(String reason) {
        inbox.add(new Incoming.Closed(reason));
    }

    private static boolean isOutput(String type) {
        return switch (type) {
            case "stream", "display_data", "update_display_data", "execute_result" -> true;
            default -> false;
        };
    }

    private void handle(KernelChannel channel, JupyterMessage message, long now) {
        JsonNode content = message.content();
        if (isOutput(message.type())) {
            pendingOutput.decrementAndGet();
            reportDroppedOutput();
        }
        switch (message.type()) {
            case "status" -> {
                String state = content.path("execution_state").asText();
                if (state.equals("busy")) {
                    executing = true;
                    interruptIfExecuting();
                } else if (state.equals("idle")) {
                    idle = true;
                }
            }
            case "execute_input" -> {
                executing = true;
                sendCount(content.path("execution_count"));
                interruptIfExecuting();
            }
            case "stream" -> stream(content, now);
            case "execute_result" -> result(content, content.path("execution_count"));
            case "display_data", "update_display_data" -> result(content, null);
            case "error" -> error = errorDetail(content);
            case "execute_reply" -> {
                if (channel == KernelChannel.SHELL) {
                    replied = true;
                    repliedAt = now;
                    reply = content;
                }
            }
            // execd has no way to ask the client: a kernel that asks anyway gets empty input rather than waiting
            // forever
            case "input_request" ->
                host.client().post(KernelChannel.STDIN, "input_reply", Map.of("value", ""), message.header());
            default -> {}
        }
    }

    private void interruptIfExecuting() {
        if (interruptWanted && executing && !replied) {
            interruptWanted = false;
            host.interruptKernel();
        }
    }

    private void sendCount(JsonNode count) {
        if (!countSent && count.isInt()) {
            countSent = true;
            emit(new ExecEvent.ExecutionCount(count.asInt(), now()));
        }
    }

    private void stream(JsonNode content, long now) {
        boolean isStderr = content.path("name").asText().equals("stderr");
        StreamLines lines = isStderr ? stderr : stdout;
        // the other stream's unfinished line was written first: keep the order
        (isStderr ? stdout : stderr).flush().ifPresent(rest -> emitLine(!isStderr, rest));
        for (String line : lines.accept(content.path("text").asText(), now)) {
            emitLine(isStderr, line);
        }
    }

    private void result(JsonNode content, JsonNode executionCount) {
        flushPartialLines();
        Map<String, Object> bundle = new LinkedHashMap<>();
        content.path("data").properties().forEach(e -> bundle.put(e.getKey(), e.getValue()));
        JsonNode plain = content.path("data").get("text/plain");
        if (plain != null && !bundle.containsKey("text")) {
            // the OpenSandbox Python SDK reads a result's text from "text", the JS SDK from "text/plain"
            bundle.put("text", plain);
        }
        Integer count = executionCount != null && executionCount.isInt() ? executionCount.asInt() : null;
        emit(new ExecEvent.Result(bundle, count, now()));
    }

    private ExecEvent terminal(long started) {
        if (error == null && reply != null && reply.path("status").asText().equals("error")) {
            error = errorDetail(reply);
        }
        if (error == null && reply != null && reply.path("status").asText().equals("aborted")) {
            error = new ExecEvent.ErrorDetail(
                    "ExecutionAborted", "the kernel aborted this cell without running it", List.of());
        }
        if (reply != null) {
            sendCount(reply.path("execution_count"));
        }
        if (error != null) {
            return new ExecEvent.Error(error, now());
        }
        return new ExecEvent.Complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), now());
    }

    private ExecEvent finish(ExecEvent terminal) {
        reportDroppedOutput();
        flushPartialLines();
        emit(terminal);
        return terminal;
    }

    /** A kernel's error: name, value, and the traceback as plain lines (IPython colours it with ANSI codes). */
    static ExecEvent.ErrorDetail errorDetail(JsonNode content) {
        List<String> traceback = new ArrayList<>();
        for (JsonNode frame : content.path("traceback")) {
            for (String line : ANSI.matcher(frame.asText()).replaceAll("").split("\n", -1)) {
                traceback.add(line);
            }
        }
        return new ExecEvent.ErrorDetail(
                content.path("ename").asText(""), content.path("evalue").asText(""), traceback);
    }

    private void flushOldPartialLines(long now) {
        if (stdout.partialOlderThan(PARTIAL_LINE_WAIT, now)) {
            stdout.flush().ifPresent(rest -> emitLine(false, rest));
        }
        if (stderr.partialOlderThan(PARTIAL_LINE_WAIT, now)) {
            stderr.flush().ifPresent(rest -> emitLine(true, rest));
        }
    }

    private void flushPartialLines() {
        stdout.flush().ifPresent(rest -> emitLine(false, rest));
        stderr.flush().ifPresent(rest -> emitLine(true, rest));
    }

    private void reportDroppedOutput() {
        int dropped = droppedOutput.getAndSet(0);
        if (dropped > 0) {
            emitLine(
                    true,
                    "[moat: " + dropped + " output messages of this cell were dropped because the client read them"
                            + " too slowly]");
        }
    }

    private void emitLine(boolean isStderr, String line) {
        emit(isStderr ? new ExecEvent.Stderr(line, now()) : new ExecEvent.Stdout(line, now()));
    }

    private void emit(ExecEvent event) {
        sink.accept(event);
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}
