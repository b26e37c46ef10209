package dev.moat.execd;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * Reads one output pipe of a process until end of file and passes on each line as it arrives. Runs on a platform
 * thread of its own: a read from a pipe blocks its thread, and blocked virtual threads would pin every carrier.
 */
final class OutputPump {

    private final InputStream pipe;
    private final LineSplitter splitter;
    private final CompletableFuture<Void> done;
    private volatile boolean waiting;
    private volatile long lastRead = System.nanoTime();

    private OutputPump(InputStream pipe, Consumer<String> lines, ExecutorService readers) {
        this.pipe = pipe;
        this.splitter = new LineSplitter(lines);
        this.done = CompletableFuture.runAsync(this::pump, readers);
    }

    static OutputPump start(InputStream pipe, Consumer<String> lines, ExecutorService readers) {
        return new OutputPump(pipe, lines, readers);
    }

    /** Completes when the pipe reaches end of file (or is closed) and every line has been passed on. */
    CompletableFuture<Void> done() {
        return done;
    }

    /**
     * Whether the pump is done, or is waiting on an empty pipe and has read nothing for {@code millis} counted from
     * {@code sinceNanos} (a {@link System#nanoTime} at which its writer is known to have stopped). A pump that is busy
     * passing lines on is neither.
     */
    boolean quiet(long sinceNanos, long millis) {
        long quietFrom = Math.max(sinceNanos, lastRead);
        return done.isDone() || (waiting && System.nanoTime() - quietFrom >= millis * 1_000_000);
    }

    private void pump() {
        byte[] buffer = new byte[8192];
        try (pipe) {
            while (true) {
                waiting = true;
                int n = pipe.read(buffer);
                waiting = false;
                lastRead = System.nanoTime();
                if (n < 0) {
                    break;
                }
                splitter.accept(buffer, 0, n);
            }
        } catch (IOException e) {
            // the pipe was closed under us (the command is being abandoned): what was read is passed on below
        }
        splitter.finish();
    }
}
