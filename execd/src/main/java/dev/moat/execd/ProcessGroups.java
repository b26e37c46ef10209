package dev.moat.execd;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Process groups for the programs execd starts, so that an interrupt or a kill reaches everything a program started:
 * {@link #leaderPrefix} makes a new process lead its own group ({@code setsid}), and the signal methods call libc's
 * {@code kill(2)}, which Java's process API cannot (SIGINT, or any signal to a whole group). The foreign-function API
 * makes that call; execd's jar declares {@code Enable-Native-Access: ALL-UNNAMED} for it.
 */
@SuppressWarnings("restricted") // the jar enables native access for this class's one downcall
final class ProcessGroups {

    static final int SIGINT = 2;
    static final int SIGKILL = 9;
    static final int SIGTERM = 15;

    private static final MethodHandle KILL = Linker.nativeLinker()
            .downcallHandle(
                    Linker.nativeLinker().defaultLookup().find("kill").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private static final Optional<Path> SETSID = executable("/usr/bin/setsid", "/bin/setsid");

    private ProcessGroups() {}

    /** The words to put before a command so that it leads a new process group; empty where setsid is missing. */
    static List<String> leaderPrefix() {
        return SETSID.map(path -> List.of(path.toString())).orElse(List.of());
    }

    /** Whether {@link #leaderPrefix} really starts a new group on this machine. */
    static boolean available() {
        return SETSID.isPresent();
    }

    /** The first of {@code candidates} that is an executable file. */
    static Optional<Path> executable(String... candidates) {
        for (String candidate : candidates) {
            Path path = Path.of(candidate);
            if (Files.isExecutable(path)) {
                return Optional.of(path);
            }
        }
        return Optional.empty();
    }

    /** Signals one process; {@code false} when it does not exist (any more). */
    static boolean signal(long pid, int signal) {
        return kill(Math.toIntExact(pid), signal);
    }

    /** Signals every process of the group that {@code leader} leads; {@code false} when the group is empty. */
    static boolean signalGroup(long leader, int signal) {
        return kill(-Math.toIntExact(leader), signal);
    }

    private static boolean kill(int pid, int signal) {
        if (pid == 0 || pid == -1) {
            throw new IllegalArgumentException("refusing to signal pid " + pid + ": it means every process");
        }
        try {
            return (int) KILL.invokeExact(pid, signal) == 0;
        } catch (Throwable e) {
            throw new IllegalStateException("kill(" + pid + ", " + signal + ") could not be called", e);
        }
    }
}
