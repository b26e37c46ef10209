package dev.moat.sdk;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real execd process on a loopback TCP port, as the SDK reaches a sandbox's execd: started from this JVM's class
 * path (after {@code -Dmoat.execd.classes=…}, to try another build of execd), ready when {@code /ping} answers,
 * stopped and its scratch directory removed on close. execd prints nothing about its port, so a free one is picked
 * first.
 */
final class LocalExecd implements AutoCloseable {

    private final Process process;
    private final Path directory;
    private final Path log;
    private final String url;
    private final ExecdClient client;

    private LocalExecd(Process process, Path directory, Path log, String url, ExecdClient client) {
        this.process = process;
        this.directory = directory;
        this.log = log;
        this.url = url;
        this.client = client;
    }

    static LocalExecd start(String... args) throws Exception {
        return start(Map.of(), ConnectionConfig.builder(Map.of()).build(), args);
    }

    /** Starts execd with extra environment and arguments; {@code connection} supplies the client's key and timeouts. */
    static LocalExecd start(Map<String, String> environment, ConnectionConfig connection, String... args)
            throws Exception {
        Path directory = Files.createTempDirectory("sdk-execd-");
        Path log = directory.resolve("execd.log");
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", // execd signals process groups through the FFM API
                "-cp",
                classPath(),
                "dev.moat.execd.Execd",
                "--port",
                Integer.toString(port)));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        String url = "http://127.0.0.1:" + port;
        LocalExecd execd = new LocalExecd(process, directory, log, url, ExecdClient.connect(url, connection));
        try {
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("execd exited early:\n" + execd.log());
                        }
                        return execd.answersPing();
                    });
        } catch (RuntimeException e) {
            execd.close();
            throw e;
        }
        return execd;
    }

    /** This JVM's class path, after the entries of {@code -Dmoat.execd.classes=…} when given (another execd build). */
    private static String classPath() {
        String own = System.getProperty("java.class.path");
        String other = System.getProperty("moat.execd.classes", "");
        return other.isBlank() ? own : other + java.io.File.pathSeparator + own;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Whether execd answers at all; a 401 for the missing access token counts, since only a running execd says it. */
    private boolean answersPing() {
        return status("GET", "/ping") > 0;
    }

    String url() {
        return url;
    }

    ExecdClient client() {
        return client;
    }

    /** A scratch directory for the test's files, removed on close. */
    Path directory() {
        return directory;
    }

    /**
     * Whether this execd serves {@code method path} at all: the shared router answers a path it has no route for
     * with {@code 404 NOT_FOUND "no route for …"}, which no implemented route does.
     */
    boolean serves(String method, String path) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url + path))
                                    .method(method, HttpRequest.BodyPublishers.noBody())
                                    .timeout(Duration.ofSeconds(30))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return !(response.statusCode() == 404 && response.body().contains("no route for"));
        } catch (IOException e) {
            throw new IllegalStateException("execd at " + url + " did not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private int status(String method, String path) {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url + path))
                                    .method(method, HttpRequest.BodyPublishers.noBody())
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        TestFiles.deleteRecursively(directory);
    }
}
