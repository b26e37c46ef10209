package dev.moat.backend.oci;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Linux mount calls the backend makes itself, through the FFM API: overlay mounts, unmounts and idmapped bind
 * mounts ({@code open_tree} + {@code mount_setattr} + {@code move_mount}, Linux 5.12+). Spawning {@code mount(8)}
 * would cost a process per call and cannot make idmapped mounts on util-linux 2.38. Every failure is an
 * {@link IOException} naming the call, the path and the errno.
 */
final class LinuxMounts {

    private static final int AT_FDCWD = -100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int O_CLOEXEC = 02000000;
    private static final int OPEN_TREE_CLONE = 1;
    private static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4;
    private static final long MOUNT_ATTR_IDMAP = 0x100000;
    private static final int MNT_DETACH = 2;
    private static final int EBUSY = 16;
    private static final int EINVAL = 22;
    private static final int ENOENT = 2;

    // The same numbers on x86_64 and aarch64: both use the generic table for syscalls added after 5.0.
    private static final long SYS_OPEN_TREE = 428;
    private static final long SYS_MOVE_MOUNT = 429;
    private static final long SYS_MOUNT_SETATTR = 442;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_CAPTURE = Linker.Option.captureCallState("errno");

    private static final MethodHandle MOUNT = function(
            "mount",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG,
                    ValueLayout.ADDRESS));
    private static final MethodHandle UMOUNT2 =
            function("umount2", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle OPEN =
            function("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("strerror").orElseThrow(),
            FunctionDescriptor.of(
                    ValueLayout.ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)),
                    ValueLayout.JAVA_INT));
    private static final MethodHandle OPEN_TREE =
            syscall(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT);
    private static final MethodHandle MOUNT_SETATTR = syscall(
            ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS,
            ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS,
            ValueLayout.JAVA_LONG);
    private static final MethodHandle MOVE_MOUNT = syscall(
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT);

    /** {@code struct mount_attr}: attr_set, attr_clr, propagation, userns_fd. */
    private static final StructLayout MOUNT_ATTR = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("attr_set"),
            ValueLayout.JAVA_LONG.withName("attr_clr"),
            ValueLayout.JAVA_LONG.withName("propagation"),
            ValueLayout.JAVA_LONG.withName("userns_fd"));

    private LinuxMounts() {}

    /** Mounts an overlay at {@code target}: {@code lowerdir=…,upperdir=…,workdir=…}. */
    static void mountOverlay(Path target, Path lower, Path upper, Path work) throws IOException {
        String options = "lowerdir=" + escape(lower) + ",upperdir=" + escape(upper) + ",workdir=" + escape(work);
        call((arena, state) -> {
            int result = (int) MOUNT.invokeExact(
                    state,
                    arena.allocateFrom("overlay"),
                    arena.allocateFrom(target.toString()),
                    arena.allocateFrom("overlay"),
                    0L,
                    arena.allocateFrom(options));
            check(result, state, "mount overlay on " + target + " (" + options + ")");
            return null;
        });
    }

    /**
     * Unmounts {@code target}. A busy mount is detached instead (it goes once its last user does); a path that is not
     * mounted is left alone.
     */
    static void unmount(Path target) throws IOException {
        call((arena, state) -> {
            MemorySegment path = arena.allocateFrom(target.toString());
            int result = (int) UMOUNT2.invokeExact(state, path, 0);
            int errno = result == 0 ? 0 : (int) ERRNO.get(state, 0L);
            if (errno == EBUSY) {
                result = (int) UMOUNT2.invokeExact(state, path, MNT_DETACH);
            } else if (errno == EINVAL || errno == ENOENT) {
                return null; // not a mount point (any more)
            }
            check(result, state, "umount " + target);
            return null;
        });
    }

    /**
     * Makes {@code target} an idmapped bind mount of {@code source}: a file owned by uid {@code k} on disk appears
     * owned by whatever host uid the user namespace {@code usernsFd} maps {@code k} to.
     */
    static void bindIdmapped(Path source, Path target, int usernsFd) throws IOException {
        call((arena, state) -> {
            int tree = (int) (long) OPEN_TREE.invokeExact(
                    state, SYS_OPEN_TREE, AT_FDCWD, arena.allocateFrom(source.toString()), OPEN_TREE_CLONE | O_CLOEXEC);
            check(tree, state, "open_tree " + source);
            try {
                MemorySegment attr = arena.allocate(MOUNT_ATTR);
                attr.set(ValueLayout.JAVA_LONG, 0, MOUNT_ATTR_IDMAP);
                attr.set(ValueLayout.JAVA_LONG, 24, usernsFd);
                int set = (int) (long) MOUNT_SETATTR.invokeExact(
                        state,
                        SYS_MOUNT_SETATTR,
                        tree,
                        arena.allocateFrom(""),
                        AT_EMPTY_PATH,
                        attr,
                        MOUNT_ATTR.byteSize());
                check(set, state, "mount_setattr(MOUNT_ATTR_IDMAP) on " + source);
                int moved = (int) (long) MOVE_MOUNT.invokeExact(
                        state,
                        SYS_MOVE_MOUNT,
                        tree,
                        arena.allocateFrom(""),
                        AT_FDCWD,
                        arena.allocateFrom(target.toString()),
                        MOVE_MOUNT_F_EMPTY_PATH);
                check(moved, state, "move_mount " + source + " to " + target);
            } finally {
                close(tree);
            }
            return null;
        });
    }

    /** Opens {@code path} read-only and returns the descriptor (for namespace files). */
    static int open(Path path) throws IOException {
        return call((arena, state) -> {
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path.toString()), O_CLOEXEC);
            check(fd, state, "open " + path);
            return fd;
        });
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Mount points at or below {@code directory}, deepest first, as /proc/self/mountinfo lists them. */
    static List<Path> mountsUnder(Path directory) {
        try {
            String prefix = directory.toString();
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(line -> unescape(line.split(" ")[4]))
                    .filter(point -> point.equals(prefix) || point.startsWith(prefix + "/"))
                    .distinct()
                    .sorted(java.util.Comparator.comparingInt(String::length).reversed())
                    .map(Path::of)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    /** A native call with a confined arena and room for errno; {@link MethodHandle#invokeExact} throws Throwable. */
    @FunctionalInterface
    private interface NativeCall<T> {
        T call(Arena arena, MemorySegment state) throws Throwable;
    }

    private static <T> T call(NativeCall<T> call) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            return call.call(arena, arena.allocate(CALL_STATE));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static void check(long result, MemorySegment state, String what) throws IOException {
        if (result < 0) {
            int errno = (int) ERRNO.get(state, 0L);
            throw new IOException(what + " failed: " + strerror(errno) + " (errno " + errno + ")");
        }
    }

    private static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.getString(0);
        } catch (Throwable e) {
            return "error";
        }
    }

    /** Overlay options are comma-separated and treat ':' as a layer separator: both must be escaped in paths. */
    private static String escape(Path path) {
        return path.toString().replace("\\", "\\\\").replace(",", "\\,").replace(":", "\\:");
    }

    private static String unescape(String field) {
        return field.replace("\\040", " ")
                .replace("\\011", "\t")
                .replace("\\012", "\n")
                .replace("\\134", "\\");
    }

    private static MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor, ERRNO_CAPTURE);
    }

    private static MethodHandle syscall(ValueLayout... arguments) {
        ValueLayout[] all = new ValueLayout[arguments.length + 1];
        all[0] = ValueLayout.JAVA_LONG;
        System.arraycopy(arguments, 0, all, 1, arguments.length);
        return LINKER.downcallHandle(
                LINKER.defaultLookup().find("syscall").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, all),
                ERRNO_CAPTURE,
                Linker.Option.firstVariadicArg(1));
    }
}
