package dev.moat.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SDK against a real execd on a loopback port: reachability and authentication. */
class ExecdClientTest {

    @Test
    void pingsARealExecd() throws Exception {
        try (LocalExecd execd = LocalExecd.start()) {
            execd.client().ping();
            assertThat(execd.client().isHealthy()).isTrue();
            assertThat(execd.client().baseUrl().toString()).isEqualTo(execd.url());
        }
    }

    @Test
    void anExecdWithAnAccessTokenRefusesAClientWithoutIt() throws Exception {
        ConnectionConfig withToken = ConnectionConfig.builder(Map.of())
                .header("X-EXECD-ACCESS-TOKEN", "t0ken")
                .build();
        try (LocalExecd execd = LocalExecd.start(Map.of(), withToken, "--access-token", "t0ken")) {
            execd.client().ping();

            ExecdClient without = ExecdClient.connect(
                    execd.url(), ConnectionConfig.builder(Map.of()).build());
            SandboxApiException e = catchThrowableOfType(SandboxApiException.class, without::ping);

            assertThat(e.status()).isEqualTo(401);
            assertThat(e.code()).isEqualTo("UNAUTHORIZED");
            assertThat(e.serverMessage()).isNotBlank();
            assertThat(without.isHealthy()).isFalse();
        }
    }
}
