package dev.moat.execd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc calls execd makes itself instead of forking a program for them: signalling a whole process group
 * ({@code kill(-pgid, sig)}) and reading its own effective uid. Loaded on first use, so the paths that never signal
 * anything (a command that simply exits) pay nothing for it.
 */
final class Libc {

    private static final int ESRCH = 3;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle KILL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("kill").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle GETEUID = LINKER.downcallHandle(
            LINKER.defaultLookup().find("geteuid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SIGNAL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("signal").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));

    private Libc() {}

    /**
     * Sends {@code signal} to the process {@code id}, or to every process of the group {@code id} when {@code group}.
     * Signal 0 only checks. Returns {@code false} when no such process (or no process of the group) is left.
     */
    static boolean kill(long id, boolean group, int signal) {
        if (id <= 1 || id > Integer.MAX_VALUE) {
            // kill(-1, …) would signal every process execd may signal: never let a bad id get there
            throw new IllegalArgumentException("not a process id: " + id);
        }
        int target = group ? (int) -id : (int) id;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) KILL.invokeExact(state, target, signal);
            // EPERM means the target exists but execd may not signal it: it is still there
            return result == 0 || (int) ERRNO.get(state, 0L) != ESRCH;
        } catch (Throwable e) {
            throw new IllegalStateException("kill(" + target + ", " + signal + ") failed", e);
        }
    }

    /** Sets the disposition of {@code signal} back to the default action (SIG_DFL). */
    static void defaultDisposition(int signal) {
        try {
            MemorySegment previous = (MemorySegment) SIGNAL.invokeExact(signal, MemorySegment.NULL);
            if (previous.address() == -1L) {
                throw new IllegalStateException("signal(" + signal + ", SIG_DFL) failed");
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("signal(" + signal + ", SIG_DFL) failed", e);
        }
    }

    static int effectiveUid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException("geteuid() failed", e);
        }
    }
}
