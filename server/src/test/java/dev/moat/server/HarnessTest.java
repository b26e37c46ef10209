package dev.moat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The test harness itself: a real server process starts, serves, stops cleanly and leaves no sandbox behind. */
class HarnessTest {

    private static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theServerAnswersHealthAndRunsASandbox() throws Exception {
        try (Api api = server.api()) {
            assertThat(api.get("/health").status()).isEqualTo(200);
            String id = api.create(TestHome.BASE_IMAGE, Map.of("test", "harness"));
            assertThat(api.get("/v1/sandboxes/" + id).json().path("id").asText())
                    .isEqualTo(id);
            assertThat(api.delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
        }
    }
}
