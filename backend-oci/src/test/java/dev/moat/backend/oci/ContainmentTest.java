package dev.moat.backend.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moat.core.spi.SandboxSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each test runs a probe inside a real sandbox and shows that what it tries fails or stays contained. The probes run
 * through the runtime's {@code exec}, which starts them with the container's own namespaces, user, capabilities,
 * seccomp filter and cgroups — exactly as execd's commands run.
 */
class ContainmentTest {

    private static TestBackend sandboxes;
    private static String shared;

    @BeforeAll
    static void start() {
        sandboxes = TestBackend.start();
        shared = sandboxes.createReady(TestBackend.spec().build()).id();
    }

    @AfterAll
    static void stop() {
        if (sandboxes != null) {
            sandboxes.close();
        }
    }

    @Test
    void aHostFileOutsideTheMountsCannotBeRead(@TempDir Path directory) throws IOException {
        Path secret = Files.writeString(directory.resolve("secret.txt"), "host secret");
        Files.setPosixFilePermissions(directory, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));

        HostCommand.Result cat = sandboxes.shell(shared, "cat " + secret + "; ls /work /root/.m2 2>&1; exit 0");
        // open_by_handle_at is the classic way out of a container ("shocker"): refused outright.
        HostCommand.Result handle = sandboxes.python(shared, """
                import ctypes, os
                libc = ctypes.CDLL(None, use_errno=True)
                number = {'x86_64': 304, 'aarch64': 265}[os.uname().machine]
                handle = (ctypes.c_char * 64)()
                print(libc.syscall(number, -100, handle, 0), ctypes.get_errno())
                """);

        assertThat(cat.stdout() + cat.stderr()).doesNotContain("host secret").contains("No such file");
        assertThat(handle.stdout().strip()).isEqualTo("-1 1"); // EPERM
    }

    @Test
    void hostProcessesAreInvisible() throws Exception {
        String marker = "3600." + ThreadLocalRandom.current().nextInt(100_000, 999_999);
        Process host = new ProcessBuilder("sleep", marker).start();
        try {
            HostCommand.Result ps = sandboxes.shell(shared, "ps -eo pid,args");

            assertThat(ps.ok()).as(ps.describe()).isTrue();
            assertThat(ps.stdout()).doesNotContain(marker).doesNotContain("surefire");
            assertThat(ps.stdout().lines().skip(1).findFirst().orElseThrow().strip())
                    .startsWith("1 /opt/moat/tini");
        } finally {
            host.destroyForcibly();
        }
    }

    @Test
    void mountingFails() {
        HostCommand.Result mount = sandboxes.shell(shared, "mkdir -p /mnt/x && mount -t tmpfs none /mnt/x");
        HostCommand.Result unshare = sandboxes.shell(shared, "unshare --mount --user --map-root-user true");
        HostCommand.Result syscall = sandboxes.python(shared, """
                import ctypes
                libc = ctypes.CDLL(None, use_errno=True)
                print(libc.mount(b"none", b"/mnt", b"tmpfs", 0, None), ctypes.get_errno())
                """);

        assertThat(mount.exitCode()).isNotZero();
        assertThat(unshare.exitCode()).isNotZero();
        assertThat(syscall.stdout().strip()).isEqualTo("-1 1");
        assertThat(sandboxes
                        .shell(shared, "grep -c ' /mnt' /proc/self/mountinfo")
                        .stdout()
                        .strip())
                .isEqualTo("0");
    }

    @Test
    void rawAndPacketSocketsAreRefused() {
        HostCommand.Result result = sandboxes.python(shared, """
                import socket
                for family, kind, protocol in [(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),
                                               (socket.AF_PACKET, socket.SOCK_RAW, 0)]:
                    try:
                        socket.socket(family, kind, protocol)
                        print("opened")
                    except PermissionError:
                        print("refused")
                """);

        assertThat(result.stdout().lines().toList()).containsExactly("refused", "refused");
    }

    @Test
    void kernelModulesCannotBeLoadedOrRemoved() {
        HostCommand.Result result = sandboxes.python(shared, """
                import ctypes, os
                libc = ctypes.CDLL(None, use_errno=True)
                calls = {'x86_64': (313, 176), 'aarch64': (273, 106)}[os.uname().machine]
                fd = os.open("/dev/null", os.O_RDONLY)
                print(libc.syscall(calls[0], fd, b"", 0), ctypes.get_errno())
                print(libc.syscall(calls[1], b"overlay", 0), ctypes.get_errno())
                """);
        HostCommand.Result sysctl = sandboxes.shell(shared, "echo 3 > /proc/sys/vm/drop_caches");

        assertThat(result.stdout().lines().toList()).containsExactly("-1 1", "-1 1");
        assertThat(sysctl.exitCode()).isNotZero();
        assertThat(sysctl.stderr()).contains("Read-only file system");
    }

    @Test
    void aServiceOnTheHostLoopbackIsUnreachable() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(200);
            HostCommand.Result result = sandboxes.python(shared, """
                    import socket
                    try:
                        socket.create_connection(("127.0.0.1", %d), timeout=3)
                        print("connected")
                    except OSError as e:
                        print(type(e).__name__)
                    print(open("/proc/net/route").read().count("\\n"))
                    print(sorted(line.split(":")[0].strip() for line in open("/proc/net/dev").readlines()[2:]))
                    """.formatted(listener.getLocalPort()));

            assertThat(result.stdout().lines().toList())
                    .containsExactly("ConnectionRefusedError", "1", "['lo']"); // no route but lo's
            assertThat(nothingConnected(listener)).isTrue();
        }
    }

    @Test
    void theRuntimeAndTheSharedImageLayerCannotBeChanged() throws Exception {
        String other = sandboxes.createReady(TestBackend.spec().build()).id();
        Path imageFile = TestImages.base().rootfs().resolve("etc/debian_version");
        String original = Files.readString(imageFile);

        HostCommand.Result runtime = sandboxes.shell(shared, "touch /opt/moat/evil; echo x >> /opt/moat/jvm.args");
        HostCommand.Result image = sandboxes.shell(
                shared, "echo evil >> /etc/debian_version && touch /usr/bin/evil && rm /bin/ls && echo done");

        assertThat(runtime.exitCode()).isNotZero();
        assertThat(runtime.stderr()).contains("Read-only file system");
        assertThat(image.stdout()).contains("done"); // the sandbox changes its own upper layer only
        assertThat(Files.readString(imageFile)).isEqualTo(original);
        assertThat(TestImages.base().rootfs().resolve("usr/bin/evil")).doesNotExist();
        assertThat(TestImages.base().rootfs().resolve("usr/bin/ls")).exists();
        assertThat(TestBackend.runtimeDirectory().resolve("evil")).doesNotExist();
        HostCommand.Result seen = sandboxes.shell(other, "cat /etc/debian_version; ls /usr/bin/evil; ls /bin/ls");
        assertThat(seen.stdout()).isEqualTo(original + "/bin/ls\n");
    }

    @Test
    void aSetuidBinaryGivesNoPrivileges() {
        HostCommand.Result result = sandboxes.shell(shared, """
                cp /usr/bin/id /usr/local/bin/suid-id && chmod 4755 /usr/local/bin/suid-id
                setpriv --reuid=1000 --regid=1000 --clear-groups /usr/local/bin/suid-id -u
                grep NoNewPrivs /proc/self/status
                """);

        assertThat(result.ok()).as(result.describe()).isTrue();
        assertThat(result.stdout().lines().toList()).containsExactly("1000", "NoNewPrivs:\t1");
    }

    @Test
    void theCapabilitiesAreDockersDefaultWithoutNetRaw() {
        long expected = 0;
        for (int bit : new int[] {0, 1, 3, 4, 5, 6, 7, 8, 10, 18, 27, 29, 31}) {
            expected |= 1L << bit;
        }
        HostCommand.Result result = sandboxes.shell(shared, "grep -E '^Cap(Bnd|Eff)' /proc/self/status");

        assertThat(result.stdout().lines().map(line -> Long.parseLong(line.split("\t")[1], 16)))
                .containsExactly(expected, expected);
    }

    @Test
    void sensitiveProcAndSysPathsAreMaskedOrReadOnly() {
        // Only what exists on this host's kernel can be shown masked: a file reads empty, a directory lists empty.
        List<String> masked = ContainerConfig.MASKED_PATHS.stream()
                .filter(path -> Files.exists(Path.of(path)))
                .toList();
        StringBuilder script = new StringBuilder();
        for (String path : masked) {
            script.append(Files.isDirectory(Path.of(path)) ? "ls -A " + path + " | wc -l\n" : "wc -c < " + path + "\n");
        }
        script.append("echo 1 > /proc/sysrq-trigger || echo sysrq-refused\n");
        script.append("echo x > /sys/kernel/uevent_helper || echo sys-refused\n");
        script.append("cat /proc/self/uid_map\n");

        List<String> lines = sandboxes
                .shell(shared, script.toString())
                .stdout()
                .lines()
                .map(String::strip)
                .toList();

        assertThat(masked).isNotEmpty();
        assertThat(lines.subList(0, masked.size())).as("sizes of %s", masked).containsOnly("0");
        assertThat(lines.subList(masked.size(), masked.size() + 2)).containsExactly("sysrq-refused", "sys-refused");
        if (sandboxes.backend().userNamespaces()) {
            String[] map = lines.getLast().split("\\s+");
            assertThat(map[0]).isEqualTo("0");
            assertThat(Long.parseLong(map[1])).isGreaterThan(UidRanges.workspaceBase());
            assertThat(map[2]).isEqualTo("65536");
        }
    }

    @Test
    void aForkBombIsHeldByThePidsLimit() throws Exception {
        SandboxSpec spec = TestBackend.spec()
                .limits(TestBackend.limits("1", "512Mi", "64"))
                .build();
        String id = sandboxes.createReady(spec).id();
        Cgroups cgroups = sandboxes.backend().cgroups();

        sandboxes.shell(id, "bash -c ':(){ :|:& };:' >/dev/null 2>&1 &");

        await().atMost(Duration.ofSeconds(30)).until(() -> pidsEventsMax(cgroups, id) > 0);
        assertThat(sandboxes.backend().usage(id).pids()).isLessThanOrEqualTo(64);
        assertThat(new ProcessBuilder("true").start().waitFor())
                .as("the host still forks")
                .isZero();
        sandboxes.backend().remove(id);
        OciLifecycleTest.assertLeftNothing(sandboxes.backend(), id);
    }

    @Test
    void aMemoryHogIsOomKilledInsideTheSandboxOnly() {
        SandboxSpec spec = TestBackend.spec()
                .limits(TestBackend.limits("1", "192Mi", "128"))
                .build();
        String id = sandboxes.createReady(spec).id();

        HostCommand.Result hog = sandboxes.python(id, "b = bytearray(1024 * 1024 * 1024)\nprint('survived')");

        assertThat(hog.exitCode()).as(hog.describe()).isEqualTo(137); // SIGKILL
        assertThat(hog.stdout()).doesNotContain("survived");
        assertThat(sandboxes.backend().cgroups().oomKills(id)).isPositive();
        assertThat(ExecdPing.ping(sandboxes.socket(id), Duration.ofSeconds(10)))
                .as("execd survives")
                .isTrue();
    }

    @Test
    void aCpuHogIsHeldToItsQuota() {
        SandboxSpec spec = TestBackend.spec()
                .limits(TestBackend.limits("500m", "256Mi", "64"))
                .build();
        String id = sandboxes.createReady(spec).id();
        long before = sandboxes.backend().usage(id).cpuNanos();
        long start = System.nanoTime();

        sandboxes.shell(id, "timeout 3 sh -c 'while :; do :; done' & timeout 3 sh -c 'while :; do :; done'; wait");

        long wall = System.nanoTime() - start;
        long used = sandboxes.backend().usage(id).cpuNanos() - before;
        // Two busy loops want two cores; the quota gives half of one. Load on the host can only lower the share.
        assertThat((double) used / wall).isLessThan(0.5 * 1.2);
        assertThat(sandboxes.backend().cgroups().cpuThrottledPeriods(id)).isPositive();
    }

    @Test
    void twoSandboxesSeeNeitherTheOthersFilesNorProcesses() throws Exception {
        String first = sandboxes.createReady(TestBackend.spec().build()).id();
        String second = sandboxes.createReady(TestBackend.spec().build()).id();
        String marker = "3600." + ThreadLocalRandom.current().nextInt(100_000, 999_999);

        HostCommand.Result write = sandboxes.shell(
                first,
                "echo one > /tmp/first-file && echo one > /root/first-file && (sleep " + marker
                        + " >/dev/null 2>&1 &) && echo ok");
        HostCommand.Result look =
                sandboxes.shell(second, "ls /tmp/first-file /root/first-file 2>&1; ps -eo args; exit 0");

        assertThat(write.stdout()).contains("ok");
        assertThat(look.stdout()).contains("No such file").doesNotContain(marker);
        if (sandboxes.backend().userNamespaces()) {
            assertThat(hostUid(first)).isNotEqualTo(hostUid(second)).isGreaterThan(UidRanges.workspaceBase());
        }
    }

    private static long hostUid(String id) throws IOException {
        long pid = Long.parseLong(Files.readString(
                        sandboxes.backend().sandboxesDirectory().resolve(id).resolve("container.pid"))
                .strip());
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith("Uid:"))
                .map(line -> Long.parseLong(line.split("\\s+")[1]))
                .findFirst()
                .orElseThrow();
    }

    private static long pidsEventsMax(Cgroups cgroups, String id) throws IOException {
        Path events = cgroups.directories(id).stream()
                .map(directory -> directory.resolve("pids.events"))
                .filter(Files::exists)
                .findFirst()
                .orElseThrow();
        return Long.parseLong(Files.readString(events).strip().split("\\s+")[1]);
    }

    private static boolean nothingConnected(ServerSocket listener) throws IOException {
        try {
            listener.accept().close();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        }
    }
}
