package dev.moat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few calls the server benchmark makes to a Moat server on loopback: the lifecycle API, execd through the
 * sandbox proxy, and the pool gauge of {@code /metrics}. Plain JDK HTTP/1.1 with kept-alive connections.
 */
final class ServerClient implements AutoCloseable {

    /** execd's own port in the sandbox proxy's path. */
    static final int EXECD_PORT = 44772;

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern DURATION = Pattern.compile("dur=([0-9.]+)");
    private static final Pattern SOURCE = Pattern.compile("desc=\"?([a-z]+)");
    private static final Pattern POOL_READY = Pattern.compile("(?m)^moat_pool_ready\\{[^}]*} ([0-9.eE+]+)$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI base;

    ServerClient(URI base) {
        this.base = base;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /**
     * A create's answer: its status, the sandbox id (when 202), and what {@code Server-Timing} said: how long the
     * server spent and whether the sandbox came from the pool.
     */
    record Created(int status, Optional<String> id, OptionalDouble serverMillis, String source, String body) {

        boolean accepted() {
            return status == 202 && id.isPresent();
        }
    }

    Created create(Map<String, Object> request) throws IOException, InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/v1/sandboxes"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))));
        Optional<String> id = Optional.empty();
        if (response.statusCode() == 202) {
            id = Optional.of(JSON.readTree(response.body()).path("id").asText()).filter(s -> !s.isEmpty());
        }
        String timing = response.headers().firstValue("Server-Timing").orElse("");
        Matcher duration = DURATION.matcher(timing);
        Matcher source = SOURCE.matcher(timing);
        return new Created(
                response.statusCode(),
                id,
                duration.find() ? OptionalDouble.of(Double.parseDouble(duration.group(1))) : OptionalDouble.empty(),
                source.find() ? source.group(1) : "unknown",
                response.body());
    }

    /** Whether execd of {@code id} answers {@code /ping} through the server's proxy. */
    boolean ping(String id) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(proxy(id, "/ping")).GET()).statusCode() == 200;
    }

    /** Pings until execd answers, every {@code interval}; false when {@code deadline} (nanoTime) passes first. */
    boolean awaitReady(String id, Duration interval, long deadlineNanos) throws IOException, InterruptedException {
        while (!ping(id)) {
            if (System.nanoTime() - deadlineNanos > 0) {
                return false;
            }
            Thread.sleep(interval);
        }
        return true;
    }

    /** POSTs {@code json} to execd's {@code path} through the proxy and reads the answer (a stream) to its end. */
    String execd(String id, String path, String json) throws IOException, InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(proxy(id, path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
        if (response.statusCode() != 200) {
            throw new IOException(
                    "POST " + path + " in " + id + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** Deletes a sandbox; true when the server answered 204. */
    boolean delete(String id) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve("/v1/sandboxes/" + id)).DELETE())
                        .statusCode()
                == 204;
    }

    /** Warm sandboxes ready to hand out, from {@code moat_pool_ready} in {@code /metrics}. */
    int poolReady() throws IOException, InterruptedException {
        Matcher matcher = POOL_READY.matcher(
                send(HttpRequest.newBuilder(base.resolve("/metrics")).GET()).body());
        return matcher.find() ? (int) Double.parseDouble(matcher.group(1)) : 0;
    }

    JsonNode get(String id) throws IOException, InterruptedException {
        return JSON.readTree(
                send(HttpRequest.newBuilder(base.resolve("/v1/sandboxes/" + id)).GET())
                        .body());
    }

    private URI proxy(String id, String path) {
        return base.resolve("/sandboxes/" + id + "/proxy/" + EXECD_PORT + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        http.close();
    }
}
