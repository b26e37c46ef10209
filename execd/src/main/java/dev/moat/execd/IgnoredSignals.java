package dev.moat.execd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Keeps signals that execd was started with ignored from being ignored by the commands it starts. An ignored signal
 * stays ignored across exec, so an execd started in the background of a shell (SIGINT ignored) would start sessions
 * whose commands Ctrl-C cannot stop. A signal handler, by contrast, is reset to the default on exec: execd therefore
 * replaces each inherited "ignore" with a handler that does nothing, which keeps execd itself as immune as its
 * starter wanted. (The JVM refuses to handle a signal that is ignored, hence the reset to the default first.)
 */
final class IgnoredSignals {

    private static final Logger LOG = Logger.getLogger(IgnoredSignals.class.getName());
    private static final List<ProcessGroup.Signal> RESET =
            List.of(ProcessGroup.Signal.HUP, ProcessGroup.Signal.INT, ProcessGroup.Signal.TERM);

    private static final AtomicBoolean DONE = new AtomicBoolean();

    private IgnoredSignals() {}

    /** Does the job once; later calls return at once. */
    static void stopPassingOn() {
        if (!DONE.compareAndSet(false, true)) {
            return;
        }
        long ignored = ignoredMask();
        for (ProcessGroup.Signal signal : RESET) {
            if ((ignored & (1L << (signal.number - 1))) != 0) {
                try {
                    Libc.defaultDisposition(signal.number);
                    sun.misc.Signal.handle(new sun.misc.Signal(signal.name()), received -> {});
                } catch (IllegalArgumentException | IllegalStateException e) {
                    LOG.warning("SIG" + signal.name() + " is ignored and stays ignored in commands: " + e.getMessage());
                }
            }
        }
    }

    /** The SigIgn mask of /proc/self/status: bit n-1 set when signal n is ignored. */
    private static long ignoredMask() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return Long.parseUnsignedLong(
                            line.substring("SigIgn:".length()).trim(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.warning("cannot read which signals execd ignores: " + e);
        }
        return 0;
    }
}
