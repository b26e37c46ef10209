package dev.moat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API key on every route but {@code /health}, and bad input on every route: each is answered with a 4xx and a
 * {@code {code,message}} body, never a 500 and never silence.
 */
class AuthAndBadInputTest {

    private static final String NO_SANDBOX = "agent-runtime-container-nosuchthing";

    /** Every route, with a path that names no sandbox. */
    private static final List<String[]> ROUTES = List.of(
            new String[] {"POST", "/sandboxes"},
            new String[] {"GET", "/sandboxes"},
            new String[] {"GET", "/sandboxes/" + NO_SANDBOX},
            new String[] {"DELETE", "/sandboxes/" + NO_SANDBOX},
            new String[] {"PATCH", "/sandboxes/" + NO_SANDBOX + "/metadata"},
            new String[] {"POST", "/sandboxes/" + NO_SANDBOX + "/pause"},
            new String[] {"POST", "/sandboxes/" + NO_SANDBOX + "/resume"},
            new String[] {"POST", "/sandboxes/" + NO_SANDBOX + "/renew-expiration"},
            new String[] {"GET", "/sandboxes/" + NO_SANDBOX + "/endpoints/8080"},
            new String[] {"POST", "/metrics/events"},
            new String[] {"GET", "/sandboxes/" + NO_SANDBOX + "/proxy/44772/ping"},
            new String[] {"POST", "/sandboxes/" + NO_SANDBOX + "/proxy/8080/x"});

    private static ServerProcess server;
    private static Api api;
    private static Api anonymous;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(Map.of("POOL_SIZE", "0", "MOAT_MAX_BODY_BYTES", "65536"));
        api = server.api();
        anonymous = new Api(server.baseUrl(), null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (anonymous != null) {
            anonymous.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static void assertError(Api.Reply reply, int status, String what) {
        assertThat(reply.status()).as("%s: %s", what, reply).isEqualTo(status);
        assertThat(reply.json().path("code").asText()).as("%s: %s", what, reply).isNotBlank();
        assertThat(reply.json().path("message").asText())
                .as("%s: %s", what, reply)
                .isNotBlank();
    }

    private static void assertClientError(Api.Reply reply, String what) {
        assertThat(reply.status()).as("%s: %s", what, reply).isBetween(400, 499);
        assertThat(reply.json().path("code").asText()).as("%s: %s", what, reply).isNotBlank();
        assertThat(reply.json().path("message").asText())
                .as("%s: %s", what, reply)
                .isNotBlank();
    }

    @Test
    void everyRouteWantsTheKeyButHealth() {
        for (String prefix : List.of("/v1", "")) {
            for (String[] route : ROUTES) {
                String what = route[0] + " " + prefix + route[1];
                Api.Reply missing = anonymous.send(route[0], prefix + route[1], "{}", Map.of());
                assertError(missing, 401, what);
                assertThat(missing.code()).isEqualTo("UNAUTHORIZED");
                assertThat(missing.header("WWW-Authenticate")).isPresent();
                Api.Reply wrong =
                        anonymous.send(route[0], prefix + route[1], "{}", Map.of(ApiKeyFilter.API_KEY_HEADER, "wrong"));
                assertError(wrong, 401, what);
                Api.Reply wrongBearer =
                        anonymous.send(route[0], prefix + route[1], "{}", Map.of("Authorization", "Bearer wrong"));
                assertError(wrongBearer, 401, what);
            }
        }
        assertError(anonymous.get("/metrics"), 401, "/metrics");
        assertThat(anonymous.get("/health").status()).isEqualTo(200);
    }

    @Test
    void theKeyIsAcceptedAsHeaderAndAsBearerTokenOnTheApiAndTheProxy() {
        Map<String, String> bearer = Map.of("Authorization", "Bearer " + ServerProcess.API_KEY);
        assertThat(anonymous.send("GET", "/v1/sandboxes", null, bearer).status())
                .isEqualTo(200);
        assertThat(anonymous
                        .send("GET", "/v1/sandboxes", null, Map.of(ApiKeyFilter.API_KEY_HEADER, ServerProcess.API_KEY))
                        .status())
                .isEqualTo(200);
        // past the key, the proxy looks for the sandbox
        assertThat(anonymous
                        .send("GET", "/sandboxes/" + NO_SANDBOX + "/proxy/44772/ping", null, bearer)
                        .code())
                .isEqualTo("SANDBOX_NOT_FOUND");
    }

    @Test
    void unknownSandboxesAreNotFoundOnEveryRoute() {
        for (String prefix : List.of("/v1", "")) {
            for (String[] route : ROUTES.subList(2, ROUTES.size())) {
                if (route[1].startsWith("/metrics")) {
                    continue;
                }
                String body = route[1].endsWith("renew-expiration") ? "{\"expiresAt\":\"2099-01-01T00:00:00Z\"}" : "{}";
                Api.Reply reply = api.send(route[0], prefix + route[1], body, Map.of());
                assertError(reply, 404, route[0] + " " + prefix + route[1]);
                assertThat(reply.code()).isEqualTo("SANDBOX_NOT_FOUND");
            }
        }
    }

    @Test
    void malformedAndMistypedBodiesAreRefusedOnEveryRouteThatReadsOne() {
        List<String> bodies = List.of(
                "{\"image\":",
                "not json",
                "[1,2]",
                "\"text\"",
                "42",
                "null",
                "{\"image\":{\"uri\":42}}",
                "{\"image\":\"base\"}",
                "{\"timeout\":\"soon\"}",
                "{\"metadata\":[1]}",
                "{\"metadata\":{\"a\":{}}}",
                "{\"env\":{\"1BAD\":\"x\"}}",
                "{\"entrypoint\":\"/bin/sh\"}",
                "{\"resourceLimits\":{\"cpu\":\"lots\"}}",
                "{\"expiresAt\":\"tomorrow\"}",
                "{\"expiresAt\":12}",
                "{}",
                "");
        List<String> routes = List.of(
                "POST /v1/sandboxes",
                "PATCH /v1/sandboxes/" + NO_SANDBOX + "/metadata",
                "POST /v1/sandboxes/" + NO_SANDBOX + "/renew-expiration");
        List<String> failures = new ArrayList<>();
        for (String route : routes) {
            String[] parts = route.split(" ");
            for (String body : bodies) {
                Api.Reply reply = api.send(parts[0], parts[1], body, Map.of("Content-Type", "application/json"));
                if (reply.status() < 400
                        || reply.status() >= 500
                        || reply.json().path("message").asText().isBlank()) {
                    failures.add(route + " " + body + " -> " + reply);
                }
            }
        }
        assertThat(failures).isEmpty();
        assertClientError(api.post("/v1/metrics/events", "{broken"), "metrics/events");
    }

    @Test
    void createChecksEveryField() {
        List<String> creates = List.of(
                "{}",
                "{\"image\":{\"uri\":\"\"}}",
                "{\"image\":{\"uri\":\"base\"},\"timeout\":-5,\"entrypoint\":[\"x\"]}",
                "{\"image\":{\"uri\":\"base\"},\"timeout\":0,\"entrypoint\":[\"x\"]}",
                "{\"image\":{\"uri\":\"base\"},\"timeout\":99999999999999999,\"entrypoint\":[\"x\"]}",
                "{\"image\":{\"uri\":\"base\"},\"timeout\":1e400,\"entrypoint\":[\"x\"]}",
                "{\"image\":{\"uri\":\"base\"},\"entrypoint\":[]}",
                "{\"image\":{\"uri\":\"base\"},\"entrypoint\":[null]}",
                "{\"image\":{\"uri\":\"base\"},\"metadata\":{\"bad key!\":\"v\"}}",
                "{\"image\":{\"uri\":\"base\"},\"resourceLimits\":{\"memory\":\"-1Gi\"}}",
                "{\"image\":{\"uri\":\"base\"},\"volumes\":[{\"name\":\"v\",\"host\":{\"path\":\"/etc\"},"
                        + "\"mountPath\":\"/mnt\"}]}",
                "{\"image\":{\"uri\":\"base\"},\"platform\":{\"os\":\"windows\",\"arch\":\"amd64\"}}",
                "{\"image\":{\"uri\":\"../../etc\"},\"entrypoint\":[\"x\"]}",
                "{\"image\":{\"uri\":\"base\"},\"env\":{\"A\":null}}");
        for (String body : creates) {
            Api.Reply reply = api.send("POST", "/v1/sandboxes", body, Map.of("Content-Type", "application/json"));
            assertThat(reply.status()).as("%s -> %s", body, reply).isBetween(400, 501);
            assertThat(reply.status()).as("%s -> %s", body, reply).isNotEqualTo(500);
            assertThat(reply.json().path("message").asText()).isNotBlank();
        }
    }

    @Test
    void badQueriesAndPathsAreRefused() {
        List<String> paths = List.of(
                "/v1/sandboxes?state=Bogus",
                "/v1/sandboxes?page=0",
                "/v1/sandboxes?page=-1",
                "/v1/sandboxes?page=abc",
                "/v1/sandboxes?pageSize=0",
                "/v1/sandboxes?pageSize=99999999999999999999",
                "/v1/sandboxes?metadata=novalue",
                "/v1/sandboxes/x/endpoints/0",
                "/v1/sandboxes/x/endpoints/65536",
                "/v1/sandboxes/x/endpoints/http",
                "/v1/sandboxes/x/endpoints/80?use_server_proxy=maybe",
                "/sandboxes/x/proxy/0/",
                "/sandboxes/x/proxy/abc/",
                "/sandboxes/x/proxy/99999/",
                "/v1/sandboxes/%2E%2E",
                "/v1/sandboxes/..%2F..%2Fetc%2Fpasswd",
                "/v1/sandboxes/a%2Fb",
                "/sandboxes/..%2F..%2Fetc/proxy/44772/ping",
                "/v1/sandboxes/%00",
                "/v1/nothing-here",
                "/v1/sandboxes/x/unknown");
        for (String path : paths) {
            assertClientError(api.get(path), path);
        }
        assertClientError(api.send("PUT", "/v1/sandboxes", "{}", Map.of()), "PUT /v1/sandboxes");
    }

    @Test
    void rawHostilePathsAreRefusedNotServed() throws IOException {
        for (String target : List.of(
                "/v1/sandboxes/../../etc/passwd",
                "/sandboxes/x/proxy/44772/../../../health",
                "/v1/sandboxes/x%2F..%2F..%2Fhealth",
                "/v1/sandboxes?metadata=%ZZ",
                "/v1/sandboxes?metadata=a%3D%ZZ",
                "/v1/sandboxes?page=%",
                "/sandboxes/x/proxy/44772/a%ZZb")) {
            String answer = raw("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + ApiKeyFilter.API_KEY_HEADER
                    + ": " + ServerProcess.API_KEY + "\r\nConnection: close\r\n\r\n");
            assertThat(answer).as(target).matches("(?s)HTTP/1.1 4\\d\\d .*\\{\"code\":\"[A-Z_]+\",\"message\":.*");
        }
    }

    @Test
    void oversizedBodiesAre413EvenWhenTheClientKeepsSending() throws IOException {
        byte[] huge = new byte[4 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        for (String path : List.of("/v1/sandboxes", "/v1/metrics/events", "/sandboxes/x/metadata")) {
            String method = path.endsWith("metadata") ? "PATCH" : "POST";
            Api.Reply declared = api.send(api.request(path)
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(huge)));
            assertError(declared, 413, path);
            // unknown length (chunked): the limit is found while reading
            Api.Reply chunked = api.send(api.request(path)
                    .header("Content-Type", "application/json")
                    .method(
                            method,
                            HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(huge))));
            assertError(chunked, 413, path + " chunked");
        }
        // a client that writes its whole body before it reads anything still gets the answer
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/sandboxes HTTP/1.1\r\nHost: localhost\r\n" + ApiKeyFilter.API_KEY_HEADER + ": "
                            + ServerProcess.API_KEY + "\r\nContent-Type: application/json\r\nContent-Length: "
                            + huge.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(huge);
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 413 ").contains("PAYLOAD_TOO_LARGE");
        }
        // and the server still serves
        assertThat(api.get("/v1/sandboxes").status()).isEqualTo(200);
    }

    private String raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
