package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Mounts for tests of file system conditions that only a real mount produces: a full disk, a bind-mounted file. They
 * need root and a kernel that lets this process mount; a test skips, saying why, where that is not so.
 */
final class TestMounts {

    private TestMounts() {}

    /** A tmpfs of {@code size} (such as {@code 1m}) at {@code at}. */
    static void tmpfs(Path at, String size) throws Exception {
        mount("-t", "tmpfs", "-o", "size=" + size, "tmpfs", at.toString());
    }

    /** Makes the mount at {@code at} read-only. */
    static void remountReadOnly(Path at) throws Exception {
        mount("-o", "remount,ro", at.toString());
    }

    /** {@code source} mounted over {@code target}, as container runtimes mount /etc/hosts. */
    static void bind(Path source, Path target) throws Exception {
        mount("--bind", source.toString(), target.toString());
    }

    static void unmount(Path at) throws Exception {
        Process umount = new ProcessBuilder("umount", at.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(umount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(umount.waitFor()).as(output).isZero();
    }

    private static void mount(String... arguments) throws Exception {
        FilesClient.assumeRoot();
        List<String> command = new ArrayList<>(List.of("mount"));
        command.addAll(List.of(arguments));
        Process mount = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(mount.waitFor() == 0, "this process may not mount (" + output.strip() + ")");
    }
}
