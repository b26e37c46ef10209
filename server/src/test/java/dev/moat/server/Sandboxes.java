package dev.moat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the manager tests ask of a running server: create and await sandboxes, run commands and code in them through
 * the proxy, read pool figures from {@code /metrics}, and see which sandboxes exist on the host (bundle directories in
 * {@code $MOAT_HOME/sandboxes}, whether or not the server knows them).
 */
record Sandboxes(ServerProcess server, Api api) {

    static final String EXECD = "/proxy/44772";

    /** A create of the base type with the type's limits (so a warm pool can serve it), {@code env}, and no expiry. */
    Api.Reply createBase(Map<String, String> env) {
        return api.post("/v1/sandboxes", Map.of("image", Map.of("uri", TestHome.BASE_IMAGE), "env", env));
    }

    /** A cold create (limits no pool has) that expires after {@code timeoutSeconds}; answers its id. */
    String createCold(long timeoutSeconds) {
        Api.Reply reply = api.post(
                "/v1/sandboxes",
                Map.of(
                        "image", Map.of("uri", TestHome.BASE_IMAGE),
                        "timeout", timeoutSeconds,
                        "resourceLimits", Map.of("cpu", "500m", "memory", "512Mi")));
        assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
        assertThat(reply.header("Server-Timing").orElseThrow()).matches(serverTiming("cold"));
        return reply.json().path("id").asText();
    }

    /** What a create answers in {@code Server-Timing}: the server's time on it and where the sandbox came from. */
    static String serverTiming(String source) {
        return "create;dur=\\d+\\.\\d{3};desc=\"" + source + "\"";
    }

    JsonNode get(String id) {
        Api.Reply reply = api.get("/v1/sandboxes/" + id);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply.json();
    }

    String state(String id) {
        return get(id).path("status").path("state").asText();
    }

    void awaitState(String id, String state, Duration within) {
        await().atMost(within)
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(state(id)).as(id).isEqualTo(state));
    }

    void delete(String id) {
        Api.Reply reply = api.delete("/v1/sandboxes/" + id);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(204);
    }

    /** Runs a shell command in the sandbox through the proxy; its stdout lines. */
    List<String> run(String id, String command) {
        return stdout(api.post("/sandboxes/" + id + EXECD + "/command", Map.of("command", command)));
    }

    /** Runs python code in the sandbox's default python context through the proxy; its stdout lines. */
    List<String> python(String id, String code) {
        return stdout(api.post(
                "/sandboxes/" + id + EXECD + "/code", Map.of("context", Map.of("language", "python"), "code", code)));
    }

    /** The ids of the python contexts execd of the sandbox has. */
    List<String> pythonContexts(String id) {
        Api.Reply reply = api.get("/sandboxes/" + id + EXECD + "/code/contexts?language=python");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        reply.json().forEach(context -> ids.add(context.path("id").asText()));
        return ids;
    }

    private static List<String> stdout(Api.Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        List<String> lines = new ArrayList<>();
        reply.body().lines().filter(line -> !line.isBlank()).forEach(line -> {
            try {
                JsonNode event = Api.JSON.readTree(line);
                if (event.path("type").asText().equals("stdout")) {
                    lines.add(event.path("text").asText().stripTrailing());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("not an event: " + line, e);
            }
        });
        return lines;
    }

    /** A gauge of {@code /metrics} for the base pool, such as {@code moat_pool_ready}. */
    int poolGauge(String name) {
        Api.Reply reply = api.get("/metrics");
        Matcher matcher =
                Pattern.compile("(?m)^" + name + "\\{type=\"base\"} ([0-9.]+)").matcher(reply.body());
        assertThat(matcher.find()).as(name + " in\n" + reply.body()).isTrue();
        return (int) Double.parseDouble(matcher.group(1));
    }

    void awaitPoolReady(int size) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(poolGauge("moat_pool_ready")).isEqualTo(size));
    }

    /** Sandboxes on the host: the bundle directories under {@code $MOAT_HOME/sandboxes}. */
    List<String> onHost() {
        return onHost(server.home());
    }

    static List<String> onHost(TestHome home) {
        return directories(home.directory().resolve("sandboxes"));
    }

    /** Containers the OCI runtime keeps state of ({@code $MOAT_HOME/run/oci/<id>}). */
    static List<String> inRuntime(TestHome home) {
        return directories(home.directory().resolve("run").resolve("oci"));
    }

    private static List<String> directories(Path bundles) {
        if (!Files.isDirectory(bundles)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(bundles)) {
            return entries.filter(Files::isDirectory)
                    .map(path -> path.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The ids the API lists (pool members are not listed). */
    List<String> listed() {
        List<String> ids = new ArrayList<>();
        api.get("/v1/sandboxes?pageSize=200")
                .json()
                .path("items")
                .forEach(item -> ids.add(item.path("id").asText()));
        return ids;
    }

    /** Waits until the pool holds {@code size} ready members; answers their ids (on the host, not listed). */
    List<String> fullPool(int size) {
        awaitPoolReady(size);
        List<String> listed = listed();
        return onHost().stream().filter(id -> !listed.contains(id)).toList();
    }

    /** Kills execd inside a sandbox by talking to its socket directly (pool members are not reachable otherwise). */
    void killExecd(String id) throws Exception {
        signalExecd(id, "KILL");
    }

    /** Stops (SIGSTOP) execd inside a sandbox: it keeps its socket but answers nothing, like a hung daemon. */
    void freezeExecd(String id) throws Exception {
        signalExecd(id, "STOP");
    }

    private void signalExecd(String id, String signal) throws Exception {
        Path socket = server.home()
                .directory()
                .resolve("sandboxes")
                .resolve(id)
                .resolve("run")
                .resolve("execd.sock");
        Process curl = new ProcessBuilder(
                        "curl",
                        "-s",
                        "--max-time",
                        "10",
                        "--unix-socket",
                        socket.toString(),
                        "-H",
                        "Content-Type: application/json",
                        "-d",
                        "{\"command\":\"pkill -" + signal + " -f 'execd[.]jar'\"}",
                        "http://localhost/command")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertThat(curl.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(socket) || !answers(socket));
    }

    private static boolean answers(Path socket) throws Exception {
        Process curl = new ProcessBuilder(
                        "curl",
                        "-s",
                        "-o",
                        "/dev/null",
                        "--max-time",
                        "2",
                        "--unix-socket",
                        socket.toString(),
                        "http://localhost/ping")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return curl.waitFor() == 0;
    }
}
