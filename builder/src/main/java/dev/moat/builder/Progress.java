package dev.moat.builder;

import java.io.PrintWriter;

/**
 * Where a long image operation (a build, an import) reports what it is doing, one human-readable line at a time. The
 * command line prints the lines with the elapsed time; the server logs them.
 */
@FunctionalInterface
public interface Progress {

    void report(String message);

    /** Discards every message. */
    static Progress silent() {
        return message -> {};
    }

    /** Prints each message on its own line, prefixed with the seconds elapsed since this call. */
    static Progress timed(PrintWriter out) {
        long start = System.nanoTime();
        return message -> {
            double seconds = (System.nanoTime() - start) / 1e9;
            synchronized (out) {
                out.printf("[%6.1fs] %s%n", seconds, message);
                out.flush();
            }
        };
    }
}
