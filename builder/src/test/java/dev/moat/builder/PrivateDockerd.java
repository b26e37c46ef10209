package dev.moat.builder;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A Docker daemon of the test's own: its socket, data and state under {@code /var/tmp/moat-dockerd-…}, no bridge and
 * no iptables rules, so it touches nothing of the host's network; stopped and deleted on close. Tests that need it
 * are skipped, with the reason, where dockerd cannot start.
 */
final class PrivateDockerd implements AutoCloseable {

    private final Path directory;
    private final Process process;

    private PrivateDockerd(Path directory, Process process) {
        this.directory = directory;
        this.process = process;
    }

    static PrivateDockerd start() throws IOException, InterruptedException {
        assumeTrue(SharedBaseImage.isRoot(), "dockerd needs root");
        assumeTrue(
                Files.isExecutable(Path.of("/usr/sbin/dockerd")),
                "dockerd is not installed (apt-get install docker.io)");
        Path directory =
                Path.of("/var/tmp/moat-dockerd-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectories(directory);
        Process process = new ProcessBuilder(
                        "dockerd",
                        "--host",
                        "unix://" + directory.resolve("docker.sock"),
                        "--data-root",
                        directory.resolve("data").toString(),
                        "--exec-root",
                        directory.resolve("exec").toString(),
                        "--pidfile",
                        directory.resolve("docker.pid").toString(),
                        "--bridge=none",
                        "--iptables=false",
                        "--ip6tables=false")
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("dockerd.log").toFile())
                .start();
        PrivateDockerd dockerd = new PrivateDockerd(directory, process);
        try {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> !process.isAlive() || dockerd.answers());
        } catch (ConditionTimeoutException e) {
            // reported below as the reason to skip
        }
        if (!process.isAlive() || !dockerd.answers()) {
            String log = Files.readString(directory.resolve("dockerd.log"));
            dockerd.close();
            assumeTrue(false, "dockerd did not start: " + log.substring(Math.max(0, log.length() - 800)));
        }
        return dockerd;
    }

    /** Runs the docker client against this daemon; a non-zero exit fails with its output. */
    String docker(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker", "-H", "unix://" + directory.resolve("docker.sock")));
        command.addAll(List.of(arguments));
        Process client = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!client.waitFor(5, TimeUnit.MINUTES) || client.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    private boolean answers() {
        try {
            docker("version", "--format", "{{.Server.Version}}");
            return true;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        TreeDeleter.delete(directory);
    }
}
