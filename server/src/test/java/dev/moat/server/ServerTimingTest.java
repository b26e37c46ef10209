package dev.moat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A create answers with {@code Server-Timing: create;dur=<ms>;desc="pool"|"cold"}, how long the server spent on it,
 * which is what {@code moat bench server} reports as the server-side hand-out time.
 */
class ServerTimingTest {

    private static final String TIMING = "create;dur=\\d+\\.\\d{3};desc=\"%s\"";

    private static ServerProcess server;
    private static Api api;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(Map.of("POOL_SIZE", "1"));
        api = server.api();
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aHandOutSaysPoolAndAColdCreateSaysCold() {
        Awaitility.await()
                .atMost(Duration.ofSeconds(120))
                .until(() -> api.get("/metrics").body().contains("moat_pool_ready{type=\"base\"} 1.0"));
        Api.Reply pooled = api.post(
                "/v1/sandboxes",
                Map.of("image", Map.of("uri", TestHome.BASE_IMAGE), "timeout", 600, "env", Map.of("K", "v")));
        assertThat(pooled.status()).as(pooled.toString()).isEqualTo(202);
        assertThat(pooled.header("Server-Timing").orElseThrow()).matches(TIMING.formatted("pool"));

        Api.Reply cold = api.post(
                "/v1/sandboxes",
                Map.of(
                        "image", Map.of("uri", TestHome.BASE_IMAGE),
                        "timeout", 600,
                        "resourceLimits", Map.of("cpu", "500m", "memory", "512Mi"),
                        "entrypoint", List.of("/bin/sh")));
        assertThat(cold.status()).as(cold.toString()).isEqualTo(202);
        assertThat(cold.header("Server-Timing").orElseThrow()).matches(TIMING.formatted("cold"));

        for (Api.Reply created : List.of(pooled, cold)) {
            assertThat(api.delete("/v1/sandboxes/" + created.json().path("id").asText())
                            .status())
                    .isEqualTo(204);
        }
    }
}
