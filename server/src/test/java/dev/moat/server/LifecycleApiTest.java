package dev.moat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenSandbox lifecycle API of the real server process with the real backend: every route, at {@code /v1} and
 * without it, with the fields of {@code sandbox-lifecycle.yml}.
 */
class LifecycleApiTest {

    private static ServerProcess server;
    private static Api api;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(Map.of());
        api = server.api();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static String running(String id) {
        return api.awaitState(id, "Running");
    }

    private static Api.Reply run(String id, String command) {
        return api.post("/sandboxes/" + id + "/proxy/44772/command", Map.of("command", command));
    }

    @Test
    void aCreatedSandboxHasTheFieldsOfTheSpecAndGoesAwayWhenDeleted() {
        Api.Reply created = api.post(
                "/v1/sandboxes",
                Map.of(
                        "image", Map.of("uri", "moat/base:latest"),
                        "timeout", 600,
                        "resourceLimits", Map.of("cpu", "500m", "memory", "512Mi"),
                        "entrypoint", List.of("tail", "-f", "/dev/null"),
                        "metadata", Map.of("team", "api"),
                        "somethingNew", Map.of("ignored", true)));

        assertThat(created.status()).as("%s", created).isEqualTo(202);
        JsonNode body = created.json();
        String id = body.path("id").asText();
        assertThat(id).startsWith("agent-runtime-container-");
        assertThat(body.path("status").path("state").asText()).isIn("Pending", "Running");
        assertThat(body.path("metadata").path("team").asText()).isEqualTo("api");
        assertThat(body.path("entrypoint").isArray()).isTrue();
        Instant createdAt = Instant.parse(body.path("createdAt").asText());
        Instant expiresAt = Instant.parse(body.path("expiresAt").asText());
        assertThat(Duration.between(createdAt, expiresAt)).isBetween(Duration.ofSeconds(590), Duration.ofSeconds(610));

        running(id);
        JsonNode got = api.get("/sandboxes/" + id).json();
        assertThat(got.path("id").asText()).isEqualTo(id);
        assertThat(got.path("image").path("uri").asText()).isEqualTo("moat/base:latest");
        assertThat(got.path("status").path("lastTransitionAt").asText()).isNotEmpty();

        assertThat(api.delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
        Api.Reply again = api.delete("/v1/sandboxes/" + id);
        assertThat(again.status()).isIn(204, 404); // deleted twice: gone, or already being removed
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Api.Reply after = api.get("/v1/sandboxes/" + id);
            return after.status() == 404
                    || after.json().path("status").path("state").asText().equals("Terminated");
        });
        assertThat(api.get("/v1/sandboxes/no-such-sandbox").code()).isEqualTo("SANDBOX_NOT_FOUND");
        assertThat(api.delete("/sandboxes/no-such-sandbox").status()).isEqualTo(404);
    }

    @Test
    void imageNamesMayBeTheLocalImageTheTypeOrTheAgentScopeName() {
        for (String image : List.of("moat/base:latest", "base", "agentscope/runtime-sandbox-base:latest")) {
            String id = running(api.create(image, Map.of()));
            assertThat(run(id, "echo ok").body()).as(image).contains("\"text\":\"ok\"");
            assertThat(api.delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
        }
    }

    @Test
    void anUnknownImageIsRefusedAtOnceNamingItAndTheCommandThatMakesIt() {
        String run = UUID.randomUUID().toString();
        Api.Reply reply = api.post(
                "/v1/sandboxes",
                Map.of(
                        "image", Map.of("uri", "example/nothing-here:1.0"),
                        "resourceLimits", Map.of(),
                        "entrypoint", List.of("/bin/sh"),
                        "metadata", Map.of("run", run)));

        assertThat(reply.status()).as("%s", reply).isEqualTo(400);
        assertThat(reply.code()).isEqualTo("IMAGE_NOT_FOUND");
        assertThat(reply.json().path("message").asText())
                .contains("example/nothing-here:1.0")
                .contains("./moat image import FILE --name example/nothing-here:1.0")
                .contains("./moat image build base");
        assertThat(api.get("/v1/sandboxes?metadata=" + encode("run=" + run))
                        .json()
                        .path("items"))
                .isEmpty();
        Api.Reply agentscope = api.post(
                "/v1/sandboxes",
                Map.of(
                        "image",
                        Map.of("uri", "agentscope/runtime-sandbox-browser:latest"),
                        "entrypoint",
                        List.of("x")));
        assertThat(agentscope.status()).isEqualTo(400);
        assertThat(agentscope.json().path("message").asText()).contains("runtime-sandbox-browser");
    }

    @Test
    void listFiltersByStateAndMetadataAndPages() {
        String run = UUID.randomUUID().toString();
        String first = api.create("base", Map.of("run", run, "n", "1"));
        String second = api.create("base", Map.of("run", run, "n", "2"));
        String third = api.create("base", Map.of("run", run, "n", "3", "note", "x.y_z"));
        running(first);
        running(second);
        running(third);
        String byRun = "metadata=" + encode("run=" + run);

        JsonNode all = api.get("/v1/sandboxes?" + byRun).json();
        assertThat(ids(all)).containsExactlyInAnyOrder(first, second, third);
        assertThat(all.path("pagination").path("totalItems").asInt()).isEqualTo(3);

        assertThat(ids(api.get("/sandboxes?" + "metadata=" + encode("run=" + run + "&note=x.y_z"))
                        .json()))
                .containsExactly(third);
        assertThat(ids(api.get("/v1/sandboxes?state=Running&" + byRun).json())).hasSize(3);
        assertThat(ids(api.get("/v1/sandboxes?state=Paused&state=Failed&" + byRun)
                        .json()))
                .isEmpty();
        assertThat(ids(api.get("/v1/sandboxes?state=running,paused&" + byRun).json()))
                .hasSize(3);

        JsonNode page1 = api.get("/v1/sandboxes?pageSize=2&page=1&" + byRun).json();
        JsonNode page2 = api.get("/v1/sandboxes?pageSize=2&page=2&" + byRun).json();
        assertThat(ids(page1)).hasSize(2);
        assertThat(ids(page2)).hasSize(1);
        assertThat(page1.path("pagination").path("totalPages").asInt()).isEqualTo(2);
        assertThat(page1.path("pagination").path("hasNextPage").asBoolean()).isTrue();
        assertThat(page2.path("pagination").path("hasNextPage").asBoolean()).isFalse();
        assertThat(ids(page1)).doesNotContainAnyElementsOf(ids(page2));
        assertThat(ids(api.get("/v1/sandboxes?pageSize=2&page=9&" + byRun).json()))
                .isEmpty();

        for (String id : List.of(first, second, third)) {
            api.delete("/v1/sandboxes/" + id);
        }
    }

    @Test
    void metadataIsMergePatched() {
        String id = running(api.create("base", Map.of("keep", "1", "change", "old", "drop", "x")));
        java.util.Map<String, Object> patch = new java.util.HashMap<>();
        patch.put("change", "new");
        patch.put("drop", null);
        patch.put("added", "yes");

        Api.Reply patched = api.patch("/v1/sandboxes/" + id + "/metadata", patch);

        assertThat(patched.status()).as("%s", patched).isEqualTo(200);
        assertThat(Api.JSON.convertValue(patched.json().path("metadata"), Map.class))
                .isEqualTo(Map.of("keep", "1", "change", "new", "added", "yes"));
        assertThat(api.get("/v1/sandboxes/" + id)
                        .json()
                        .path("metadata")
                        .path("added")
                        .asText())
                .isEqualTo("yes");
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void aPausedSandboxResumesWithItsProcessesAndAnswersCommandsAgain() {
        String id = running(api.create("base", Map.of()));
        assertThat(run(id, "echo 41 > /tmp/state").status()).isEqualTo(200);

        assertThat(api.post("/v1/sandboxes/" + id + "/pause", Map.of()).status())
                .isEqualTo(202);
        api.awaitState(id, "Paused");
        assertThat(api.post("/sandboxes/" + id + "/resume", Map.of()).status()).isEqualTo(202);
        running(id);

        assertThat(run(id, "cat /tmp/state").body()).contains("\"text\":\"41\"");
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void renewExpirationMovesTheExpiry() {
        String id = running(api.create("base", Map.of()));
        String later = Instant.now().plus(Duration.ofHours(2)).toString();

        Api.Reply renewed = api.post("/v1/sandboxes/" + id + "/renew-expiration", Map.of("expiresAt", later));

        assertThat(renewed.status()).as("%s", renewed).isEqualTo(200);
        assertThat(Instant.parse(renewed.json().path("expiresAt").asText()))
                .isEqualTo(Instant.parse(later).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(Instant.parse(
                        api.get("/sandboxes/" + id).json().path("expiresAt").asText()))
                .isEqualTo(Instant.parse(renewed.json().path("expiresAt").asText()));
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void endpointsPointAtTheProxyForAnyPort() {
        String id = running(api.create("base", Map.of()));
        for (int port : List.of(44772, 8080, 1, 65535)) {
            Api.Reply reply = api.get("/v1/sandboxes/" + id + "/endpoints/" + port);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json().path("endpoint").asText())
                    .isEqualTo("127.0.0.1:" + server.port() + "/sandboxes/" + id + "/proxy/" + port);
        }
        assertThat(api.get("/sandboxes/" + id + "/endpoints/8080").status()).isEqualTo(200);
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void metricsEventsAreAcceptedAndUnsupportedFeaturesSaySo() {
        assertThat(api.post("/v1/metrics/events", Map.of("event", "x", "extra", List.of(1)))
                        .status())
                .isEqualTo(204);
        assertThat(api.post("/metrics/events", Map.of()).status()).isEqualTo(204);
        for (Api.Reply reply : List.of(
                api.get("/v1/snapshots"),
                api.get("/snapshots/s1"),
                api.delete("/v1/snapshots/s1"),
                api.post("/v1/sandboxes/x/snapshots", Map.of()),
                api.post("/v1/sandboxes", Map.of("snapshotId", "s1")),
                api.get("/v1/sandboxes/x/endpoints/80?expires=60"))) {
            assertThat(reply.status()).as("%s", reply).isEqualTo(501);
            assertThat(reply.code()).isEqualTo("NOT_SUPPORTED");
            assertThat(reply.json().path("message").asText()).isNotBlank();
        }
    }

    @Test
    void theRequestIdIsEchoedOrMade() {
        Api.Reply echoed = api.send(api.request("/v1/sandboxes/nope")
                .header("X-Request-ID", "trace-42")
                .GET());
        assertThat(echoed.header("X-Request-ID")).hasValue("trace-42");
        assertThat(api.get("/health").header("X-Request-ID")).isPresent();
    }

    @Test
    void metricsShowSandboxesPoolsLatenciesAndRequests() {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> api.get("/metrics").body().contains("moat_pool_ready{type=\"base\"} 1.0"));
        String id = running(api.create("base", Map.of()));
        api.get("/v1/sandboxes/no-such-sandbox");

        Api.Reply metrics = api.get("/metrics");

        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.header("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(metrics.body())
                .contains("moat_sandboxes{state=\"Running\"}")
                .contains("moat_pool_ready{type=\"base\"}")
                .contains("moat_pool_target{type=\"base\"} 1")
                .contains("moat_sandbox_ready_seconds_bucket{source=\"pool\"")
                .contains("moat_http_requests_total{method=\"POST\",route=\"/v1/sandboxes\",status=\"2xx\"}")
                .contains("moat_http_requests_total{method=\"GET\",route=\"/v1/sandboxes/{id}\",status=\"4xx\"}");
        api.delete("/v1/sandboxes/" + id);
    }

    private static List<String> ids(JsonNode list) {
        return list.path("items").findValues("id").stream()
                .map(JsonNode::asText)
                .toList();
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
