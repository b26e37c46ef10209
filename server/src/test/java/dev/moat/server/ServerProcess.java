package dev.moat.server;

import static org.awaitility.Awaitility.await;

import dev.moat.core.spi.Backend;
import dev.moat.core.spi.BackendSettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

/**
 * The real Moat server as a separate JVM ({@link ServerCommand#main}), on a free loopback port, with its own
 * {@link TestHome}: ready when {@code /health} answers; its output goes to a log file that failures quote.
 * {@link #stop()} sends SIGTERM and waits (a clean stop removes its sandboxes), {@link #kill()} sends SIGKILL;
 * {@link #close()} stops it and removes any sandbox it left behind, then the home.
 */
final class ServerProcess implements AutoCloseable {

    static final String API_KEY = "test-key-" + ProcessHandle.current().pid();

    private final TestHome home;
    private final Map<String, String> environment;
    private final Path log;
    private final int port;
    private final Api api;
    private Process process;

    private ServerProcess(TestHome home, Map<String, String> environment, Path log, int port) {
        this.home = home;
        this.environment = environment;
        this.log = log;
        this.port = port;
        this.api = new Api(baseUrl(), API_KEY);
    }

    /** A server with {@code BEARER_TOKEN=}{@link #API_KEY}, {@code POOL_SIZE=1}, and {@code settings} on top. */
    static ServerProcess start(Map<String, String> settings) throws Exception {
        TestHome home = TestHome.create();
        int port = freePort();
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("HOST", "127.0.0.1");
        environment.put("PORT", Integer.toString(port));
        environment.put("BEARER_TOKEN", API_KEY);
        environment.put("POOL_SIZE", "1");
        environment.put("AUTO_CLEANUP", "True");
        environment.put("MOAT_HOME", home.directory().toString());
        environment.put("MOAT_RUNTIME_DIR", TestHome.runtime().toString());
        environment.put("DEFAULT_MOUNT_DIR", home.workspaces().toString());
        environment.putAll(settings);
        ServerProcess server =
                new ServerProcess(home, environment, home.directory().resolve("server.log"), port);
        try {
            server.launch();
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Starts the server process (again, after {@link #kill()} or {@link #stop()}) and waits for {@code /health}. */
    void launch() throws Exception {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the server is still running");
        }
        ProcessBuilder builder = new ProcessBuilder(command())
                .directory(home.directory().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        process = builder.start();
        HttpClient client = HttpClient.newHttpClient();
        try {
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(100))
                    .ignoreExceptionsMatching(e -> e instanceof IOException)
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException(
                                    "the server exited with " + process.exitValue() + ":\n" + log());
                        }
                        return client.send(
                                                HttpRequest.newBuilder(url("/health"))
                                                        .build(),
                                                HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 200;
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new IllegalStateException("the server did not become healthy in 120 s:\n" + log(), e);
        } finally {
            client.close();
        }
    }

    private static List<String> command() {
        return new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED",
                "-Dmoat.runtime=" + TestHome.runtime(),
                "-cp",
                System.getProperty("java.class.path"),
                ServerCommand.class.getName()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}. */
    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    URI url(String pathAndQuery) {
        return URI.create(baseUrl() + pathAndQuery);
    }

    /** The client that sends {@link #API_KEY}; closed with the server. */
    Api api() {
        return api;
    }

    TestHome home() {
        return home;
    }

    Process process() {
        return process;
    }

    /** Everything the server printed so far. */
    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no log yet)";
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** How a short-lived server process ended: its exit code and everything it printed. */
    record Outcome(int exitCode, String output) {}

    /**
     * Runs a second server with this one's settings (and {@code overrides}) on another port until it exits by itself,
     * at most 60 s; for start-ups that must fail.
     */
    Outcome startAnother(Map<String, String> overrides) throws Exception {
        Map<String, String> settings = new LinkedHashMap<>(environment);
        settings.put("PORT", Integer.toString(freePort()));
        settings.putAll(overrides);
        ProcessBuilder builder = new ProcessBuilder(command())
                .directory(home.directory().toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(settings);
        Process other = builder.start();
        String output = new String(other.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!other.waitFor(60, TimeUnit.SECONDS)) {
            other.destroyForcibly();
            throw new IllegalStateException("the second server did not exit:\n" + output);
        }
        return new Outcome(other.exitValue(), output);
    }

    /** SIGTERM, then waits for the process to end (a clean stop); returns its exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the server did not stop within 60 s of SIGTERM:\n" + log());
        }
        return process.exitValue();
    }

    /** SIGKILL: the server gets no chance to clean up. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        api.close();
        try {
            if (process != null && process.isAlive()) {
                stop();
            }
        } finally {
            try {
                removeLeftovers();
            } finally {
                // the surefire output of the test class keeps what the server said, for failures after the fact
                System.out.println("---- server log\n" + log());
                home.delete();
            }
        }
    }

    /** Removes every sandbox still in this home (after a kill, or a stop that failed to clean up). */
    private void removeLeftovers() {
        BackendSettings settings = new BackendSettings("oci", home.directory(), TestHome.runtime(), Map.of());
        for (Backend.Factory factory : ServiceLoader.load(Backend.Factory.class)) {
            if (!factory.deployments().contains("oci")) {
                continue;
            }
            Backend backend = factory.create(settings);
            try {
                for (var sandbox : backend.list(Map.of())) {
                    backend.remove(sandbox.id());
                }
            } finally {
                backend.close();
            }
        }
    }
}
