package dev.moat.execd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What tests learn about processes from /proc. */
final class ProcFs {

    private ProcFs() {}

    /** Whether the process runs (a zombie waiting to be reaped counts as gone). */
    static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }
}
