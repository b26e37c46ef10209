package dev.moat.execd;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * A process execd started, leading a new session and process group of its own (its pid is the group id). Its pipes
 * are empty streams when its output goes to a file or its stdin is /dev/null.
 */
interface ChildProcess {

    long pid();

    InputStream stdout();

    InputStream stderr();

    OutputStream stdin();

    /** Completes with the exit code when the process has exited: its status, or 128 + n when killed by signal n. */
    CompletableFuture<Integer> exit();

    default boolean isAlive() {
        return !exit().isDone();
    }
}
