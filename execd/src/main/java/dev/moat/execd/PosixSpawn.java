package dev.moat.execd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The libc calls of {@link SpawnLauncher}: posix_spawn(3) with its file actions and attributes, pipes, and blocking
 * read, write and waitpid on file descriptors (call those from platform threads only). Values of constants are
 * glibc's, the same on x86_64 and aarch64.
 */
final class PosixSpawn {

    private static final short SETSIGDEF = 0x04;
    private static final short SETSIGMASK = 0x08;
    private static final short SETSID = 0x80;
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = 0100;
    private static final int O_APPEND = 02000;
    private static final int O_CLOEXEC = 02000000;
    private static final int EINTR = 4;
    // opaque glibc structures, allocated generously (posix_spawnattr_t is 336 bytes, the others smaller)
    private static final long FILE_ACTIONS_BYTES = 256;
    private static final long ATTRIBUTES_BYTES = 1024;
    private static final long SIGSET_BYTES = 256;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final Optional<MethodHandle> CLOSE_FROM =
            find("posix_spawn_file_actions_addclosefrom_np", JAVA_INT, ADDRESS, JAVA_INT);
    private static final Optional<MethodHandle> CHDIR =
            find("posix_spawn_file_actions_addchdir_np", JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SPAWNP =
            handle("posix_spawnp", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle ACTIONS_INIT = handle("posix_spawn_file_actions_init", JAVA_INT, ADDRESS);
    private static final MethodHandle ACTIONS_DESTROY = handle("posix_spawn_file_actions_destroy", JAVA_INT, ADDRESS);
    private static final MethodHandle ADD_OPEN =
            handle("posix_spawn_file_actions_addopen", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle ADD_DUP2 =
            handle("posix_spawn_file_actions_adddup2", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle ATTR_INIT = handle("posix_spawnattr_init", JAVA_INT, ADDRESS);
    private static final MethodHandle ATTR_DESTROY = handle("posix_spawnattr_destroy", JAVA_INT, ADDRESS);
    private static final MethodHandle ATTR_FLAGS = handle("posix_spawnattr_setflags", JAVA_INT, ADDRESS, JAVA_SHORT);
    private static final MethodHandle ATTR_SIGDEFAULT =
            handle("posix_spawnattr_setsigdefault", JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle ATTR_SIGMASK = handle("posix_spawnattr_setsigmask", JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SIGFILLSET = handle("sigfillset", JAVA_INT, ADDRESS);
    private static final MethodHandle SIGEMPTYSET = handle("sigemptyset", JAVA_INT, ADDRESS);
    private static final MethodHandle STRERROR = handle("strerror", ADDRESS, JAVA_INT);
    private static final MethodHandle PIPE2 = errnoHandle("pipe2", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle READ = errnoHandle("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle WRITE = errnoHandle("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle CLOSE = handle("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle WAITPID = errnoHandle("waitpid", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);

    private PosixSpawn() {}

    /** Whether this C library has everything the spawn needs (glibc 2.34 or newer). */
    static boolean available() {
        return CLOSE_FROM.isPresent() && CHDIR.isPresent();
    }

    /** The two ends of a new pipe, both close-on-exec. */
    record Pipe(int read, int write) {}

    static Pipe pipe() throws IOException {
        return call(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment fds = arena.allocate(JAVA_INT, 2);
                MemorySegment state = arena.allocate(CALL_STATE);
                if ((int) PIPE2.invokeExact(state, fds, O_CLOEXEC) != 0) {
                    throw failure("pipe2", errno(state));
                }
                return new Pipe(fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1));
            }
        });
    }

    /**
     * Starts {@code argv} in a new session with every signal at its default and none blocked, with stdin from
     * {@code stdin} (-1: /dev/null), stdout and stderr to {@code stdout} and {@code stderr}, or both appended to
     * {@code outputFile}, and no other descriptor of execd's open. Returns the pid.
     */
    static int spawn(
            List<String> argv,
            List<String> environment,
            Optional<Path> cwd,
            int stdin,
            int stdout,
            int stderr,
            Optional<Path> outputFile)
            throws IOException {
        return call(() -> spawnNow(argv, environment, cwd, stdin, stdout, stderr, outputFile));
    }

    private static int spawnNow(
            List<String> argv,
            List<String> environment,
            Optional<Path> cwd,
            int stdin,
            int stdout,
            int stderr,
            Optional<Path> outputFile)
            throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(FILE_ACTIONS_BYTES, 16);
            MemorySegment attributes = arena.allocate(ATTRIBUTES_BYTES, 16);
            check("posix_spawn_file_actions_init", (int) ACTIONS_INIT.invokeExact(actions));
            check("posix_spawnattr_init", (int) ATTR_INIT.invokeExact(attributes));
            try {
                if (stdin < 0) {
                    check("addopen", (int)
                            ADD_OPEN.invokeExact(actions, 0, arena.allocateFrom("/dev/null"), O_RDONLY, 0));
                } else {
                    check("adddup2", (int) ADD_DUP2.invokeExact(actions, stdin, 0));
                }
                if (outputFile.isPresent()) {
                    MemorySegment path = arena.allocateFrom(outputFile.get().toString());
                    check("addopen", (int) ADD_OPEN.invokeExact(actions, 1, path, O_WRONLY | O_APPEND | O_CREAT, 0600));
                    check("adddup2", (int) ADD_DUP2.invokeExact(actions, 1, 2));
                } else {
                    check("adddup2", (int) ADD_DUP2.invokeExact(actions, stdout, 1));
                    check("adddup2", (int) ADD_DUP2.invokeExact(actions, stderr, 2));
                }
                if (cwd.isPresent()) {
                    MemorySegment path = arena.allocateFrom(cwd.get().toString());
                    check("addchdir_np", (int) CHDIR.orElseThrow().invokeExact(actions, path));
                }
                // the JDK opens most descriptors without close-on-exec: none of them may leak into a command
                check("addclosefrom_np", (int) CLOSE_FROM.orElseThrow().invokeExact(actions, 3));
                MemorySegment all = arena.allocate(SIGSET_BYTES, 16);
                MemorySegment none = arena.allocate(SIGSET_BYTES, 16);
                check("sigfillset", (int) SIGFILLSET.invokeExact(all));
                check("sigemptyset", (int) SIGEMPTYSET.invokeExact(none));
                check("setsigdefault", (int) ATTR_SIGDEFAULT.invokeExact(attributes, all));
                check("setsigmask", (int) ATTR_SIGMASK.invokeExact(attributes, none));
                check("setflags", (int) ATTR_FLAGS.invokeExact(attributes, (short) (SETSID | SETSIGDEF | SETSIGMASK)));
                MemorySegment pid = arena.allocate(JAVA_INT);
                int error = (int) SPAWNP.invokeExact(
                        pid,
                        arena.allocateFrom(argv.getFirst()),
                        actions,
                        attributes,
                        strings(arena, argv),
                        strings(arena, environment));
                if (error != 0) {
                    throw failure("cannot start " + argv.getFirst(), error);
                }
                return pid.get(JAVA_INT, 0);
            } finally {
                int ignored = (int) ACTIONS_DESTROY.invokeExact(actions);
                ignored = (int) ATTR_DESTROY.invokeExact(attributes);
            }
        }
    }

    /** Reads into {@code buffer}; returns the count, 0 at end of file. */
    static int read(int fd, MemorySegment buffer) throws IOException {
        return call(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(CALL_STATE);
                while (true) {
                    long n = (long) READ.invokeExact(state, fd, buffer, buffer.byteSize());
                    if (n >= 0) {
                        return (int) n;
                    }
                    if (errno(state) != EINTR) {
                        throw failure("read", errno(state));
                    }
                }
            }
        });
    }

    /** Writes all of {@code bytes}. */
    static void write(int fd, MemorySegment bytes) throws IOException {
        call(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(CALL_STATE);
                long offset = 0;
                while (offset < bytes.byteSize()) {
                    long n = (long) WRITE.invokeExact(state, fd, bytes.asSlice(offset), bytes.byteSize() - offset);
                    if (n >= 0) {
                        offset += n;
                    } else if (errno(state) != EINTR) {
                        throw failure("write", errno(state));
                    }
                }
                return null;
            }
        });
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the child exits and reaps it: its exit status, or 128 + n when killed by signal n. */
    static int waitFor(int pid) throws IOException {
        return call(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(CALL_STATE);
                MemorySegment status = arena.allocate(JAVA_INT);
                while ((int) WAITPID.invokeExact(state, pid, status, 0) < 0) {
                    if (errno(state) != EINTR) {
                        throw failure("waitpid(" + pid + ")", errno(state));
                    }
                }
                int raw = status.get(JAVA_INT, 0);
                int signal = raw & 0x7f;
                return signal == 0 ? (raw >> 8) & 0xff : 128 + signal;
            }
        });
    }

    private static MemorySegment strings(Arena arena, List<String> strings) {
        MemorySegment array = arena.allocate(ADDRESS, strings.size() + 1);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(strings.get(i)));
        }
        array.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }

    private static void check(String call, int error) throws IOException {
        if (error != 0) {
            throw failure(call, error);
        }
    }

    private static IOException failure(String what, int errno) {
        return new IOException(what + ": " + message(errno));
    }

    private static String message(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(1024).getString(0);
        } catch (Throwable e) {
            return "errno " + errno;
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static Optional<MethodHandle> find(String name, MemoryLayout result, MemoryLayout... arguments) {
        return LINKER.defaultLookup()
                .find(name)
                .map(symbol -> LINKER.downcallHandle(symbol, FunctionDescriptor.of(result, arguments)));
    }

    private static MethodHandle handle(String name, MemoryLayout result, MemoryLayout... arguments) {
        return find(name, result, arguments)
                .orElseThrow(() -> new IllegalStateException("the C library has no " + name));
    }

    private static MethodHandle errnoHandle(String name, MemoryLayout result, MemoryLayout... arguments) {
        return LINKER.downcallHandle(
                LINKER.defaultLookup()
                        .find(name)
                        .orElseThrow(() -> new IllegalStateException("the C library has no " + name)),
                FunctionDescriptor.of(result, arguments),
                Linker.Option.captureCallState("errno"));
    }

    /** A native call, whose Throwable is only what the method handle declares. */
    @FunctionalInterface
    private interface NativeCall<T> {
        T run() throws Throwable;
    }

    private static <T> T call(NativeCall<T> call) throws IOException {
        try {
            return call.run();
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
