package dev.moat.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** A small JSON client of a Moat server: sends the API key, answers status, headers and the parsed body. */
final class Api implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final Optional<String> apiKey;
    private final HttpClient http;

    Api(String baseUrl, String apiKey) {
        this.baseUrl = baseUrl;
        this.apiKey = Optional.ofNullable(apiKey);
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** An answer: its status, headers and body text; {@link #json()} parses the body. */
    record Reply(int status, HttpHeaders headers, String body) {

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (status " + status + "): " + body, e);
            }
        }

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        /** The {@code code} of an error body. */
        String code() {
            return json().path("code").asText();
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    Reply get(String path) {
        return send(request(path).GET());
    }

    Reply delete(String path) {
        return send(request(path).DELETE());
    }

    Reply post(String path, Object body) {
        return send(request(path).POST(bodyOf(body)).header("Content-Type", "application/json"));
    }

    Reply patch(String path, Object body) {
        return send(request(path).method("PATCH", bodyOf(body)).header("Content-Type", "application/json"));
    }

    /** Any request: {@code body} is sent as is (a String) or as JSON (anything else); null sends none. */
    Reply send(String method, String path, Object body, Map<String, String> headers) {
        HttpRequest.Builder builder =
                request(path).method(method, body == null ? HttpRequest.BodyPublishers.noBody() : bodyOf(body));
        headers.forEach(builder::setHeader);
        return send(builder);
    }

    /**
     * Creates a sandbox from {@code image} with a 10 minute timeout and the type's limits (so a pooled type comes from
     * its pool); answers its id once the create is accepted.
     */
    String create(String image, Map<String, String> metadata) {
        Reply reply = post(
                "/v1/sandboxes",
                Map.of(
                        "image",
                        Map.of("uri", image),
                        "timeout",
                        600,
                        "entrypoint",
                        java.util.List.of("tail", "-f", "/dev/null"),
                        "metadata",
                        metadata));
        if (reply.status() != 202) {
            throw new AssertionError("create answered " + reply);
        }
        return reply.json().path("id").asText();
    }

    /** The state of a sandbox ({@code status.state}). */
    String state(String id) {
        return get("/v1/sandboxes/" + id).json().path("status").path("state").asText();
    }

    /** Waits until the sandbox is in {@code state}; fails at once if it turned Failed instead. Answers the id. */
    String awaitState(String id, String state) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> state(id), now -> now.equals(state) || now.equals("Failed"));
        Reply sandbox = get("/v1/sandboxes/" + id);
        if (!sandbox.json().path("status").path("state").asText().equals(state)) {
            throw new AssertionError("sandbox " + id + " is not " + state + ": " + sandbox);
        }
        return id;
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(120));
        apiKey.ifPresent(key -> builder.header(ApiKeyFilter.API_KEY_HEADER, key));
        return builder;
    }

    private static HttpRequest.BodyPublisher bodyOf(Object body) {
        try {
            return HttpRequest.BodyPublishers.ofString(
                    body instanceof String text ? text : JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpClient http() {
        return http;
    }

    @Override
    public void close() {
        http.close();
    }
}
