package dev.moat.execd;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real execd process for tests: started with this JVM's class path on a Unix socket in a fresh temporary directory,
 * ready when {@code /ping} answers, stopped (and its directory removed) on close.
 */
final class ExecdProcess implements AutoCloseable {

    private final Process process;
    private final Path directory;
    private final Path socket;
    private final Path log;
    private final ExecdClient client;

    private ExecdProcess(Process process, Path directory, Path socket, Path log, ExecdClient client) {
        this.process = process;
        this.directory = directory;
        this.socket = socket;
        this.log = log;
        this.client = client;
    }

    static ExecdProcess start(String... args) throws Exception {
        return start(Map.of(), args);
    }

    static ExecdProcess start(Map<String, String> environment, String... args) throws Exception {
        Path directory = Files.createTempDirectory("execd-test-");
        Path socket = directory.resolve("execd.sock");
        Path log = directory.resolve("execd.log");
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Execd.class.getName(),
                "--socket",
                socket.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        ExecdClient client = new ExecdClient(socket, environment.get("EXECD_ACCESS_TOKEN"));
        ExecdProcess execd = new ExecdProcess(process, directory, socket, log, client);
        try {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("execd exited early:\n" + execd.log());
                        }
                        return Files.exists(socket) && client.pingQuietly();
                    });
        } catch (RuntimeException e) {
            execd.close();
            throw e;
        }
        return execd;
    }

    ExecdClient client() {
        return client;
    }

    Path socket() {
        return socket;
    }

    /** A scratch directory owned by this execd, removed on close. */
    Path directory() {
        return directory;
    }

    Process process() {
        return process;
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        client.close();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        TestFiles.deleteRecursively(directory);
    }
}
