package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PingAndAuthTest {

    @Test
    void pingAnswers200() throws Exception {
        try (ExecdProcess execd = ExecdProcess.start()) {
            assertThat(execd.client().get("/ping").status()).isEqualTo(200);
        }
    }

    @Test
    void unknownRouteIs404WithErrorBody() throws Exception {
        try (ExecdProcess execd = ExecdProcess.start()) {
            ExecdClient.Response response = execd.client().get("/no/such/route");
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.error().code()).isEqualTo("NOT_FOUND");
            assertThat(response.error().message()).contains("/no/such/route");
        }
    }

    @Test
    void wrongMethodIs405WithAllowHeader() throws Exception {
        try (ExecdProcess execd = ExecdProcess.start()) {
            ExecdClient.Response response = execd.client().delete("/ping");
            assertThat(response.status()).isEqualTo(405);
            assertThat(response.header("Allow")).isEqualTo("GET");
        }
    }

    @Test
    void accessTokenIsEnforcedOnEveryRoute() throws Exception {
        try (ExecdProcess execd = ExecdProcess.start(Map.of("EXECD_ACCESS_TOKEN", "s3cret"))) {
            assertThat(execd.client().get("/ping").status()).isEqualTo(200);
            try (ExecdClient anonymous = new ExecdClient(execd.socket(), null);
                    ExecdClient wrong = new ExecdClient(execd.socket(), "guess")) {
                for (ExecdClient client : new ExecdClient[] {anonymous, wrong}) {
                    ExecdClient.Response response = client.get("/ping");
                    assertThat(response.status()).isEqualTo(401);
                    assertThat(response.error().code()).isEqualTo("UNAUTHORIZED");
                    assertThat(client.get("/metrics").status()).isEqualTo(401);
                }
            }
        }
    }
}
