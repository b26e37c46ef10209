package dev.moat.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionConfigTest {

    @Test
    void acceptsAUrlWithOrWithoutSchemeVersionAndTrailingSlash() {
        assertThat(ConnectionConfig.normalize("http://127.0.0.1:8000")).isEqualTo(URI.create("http://127.0.0.1:8000"));
        assertThat(ConnectionConfig.normalize("http://127.0.0.1:8000/")).isEqualTo(URI.create("http://127.0.0.1:8000"));
        assertThat(ConnectionConfig.normalize("http://127.0.0.1:8000/v1/"))
                .isEqualTo(URI.create("http://127.0.0.1:8000"));
        assertThat(ConnectionConfig.normalize("localhost:8080")).isEqualTo(URI.create("http://localhost:8080"));
        assertThat(ConnectionConfig.normalize("HTTPS://moat.example.com/prefix/v1"))
                .isEqualTo(URI.create("https://moat.example.com/prefix"));
    }

    @Test
    void keepsAnExecdPathAsItIs() {
        assertThat(ConnectionConfig.normalizeExecd("http://h:1/sandboxes/v1/proxy/44772/"))
                .isEqualTo(URI.create("http://h:1/sandboxes/v1/proxy/44772"));
    }

    @Test
    void refusesWhatIsNotAnHttpServerUrl() {
        assertThatThrownBy(() -> ConnectionConfig.normalize("ftp://host")).hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> ConnectionConfig.normalize("http://")).hasMessageContaining("URL");
        assertThatThrownBy(() -> ConnectionConfig.normalize("http://host:8000?x=1"))
                .hasMessageContaining("query");
        assertThatThrownBy(() -> ConnectionConfig.normalize("http://bad host")).hasMessageContaining("not a URL");
    }

    @Test
    void readsServerAndKeyFromTheEnvironment() {
        ConnectionConfig config = ConnectionConfig.builder(
                        Map.of("OPEN_SANDBOX_DOMAIN", "sandbox.example:9000", "OPEN_SANDBOX_API_KEY", "secret"))
                .build();
        assertThat(config.baseUrl()).isEqualTo(URI.create("http://sandbox.example:9000"));
        assertThat(config.apiKey()).hasValue("secret");
        assertThat(config.requestHeaders()).containsEntry("OPEN-SANDBOX-API-KEY", "secret");
        assertThat(config.toString()).doesNotContain("secret");
    }

    @Test
    void defaultsToMoatOnLoopbackWithoutKey() {
        ConnectionConfig config = ConnectionConfig.builder(Map.of()).build();
        assertThat(config.baseUrl()).isEqualTo(URI.create("http://127.0.0.1:8000"));
        assertThat(config.apiKey()).isEmpty();
        assertThat(config.requestHeaders()).isEmpty();
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void explicitSettingsWinOverTheEnvironment() {
        ConnectionConfig config = ConnectionConfig.builder(Map.of("OPEN_SANDBOX_API_KEY", "from-env"))
                .baseUrl("https://moat.example")
                .apiKey("explicit")
                .header("X-Team", "a")
                .requestTimeout(Duration.ofSeconds(5))
                .build();
        assertThat(config.scheme()).isEqualTo("https");
        assertThat(config.requestHeaders())
                .containsEntry("OPEN-SANDBOX-API-KEY", "explicit")
                .containsEntry("X-Team", "a");
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void refusesTimeoutsThatAreNotPositive() {
        assertThatThrownBy(() -> ConnectionConfig.builder().requestTimeout(Duration.ZERO))
                .hasMessageContaining("requestTimeout must be positive");
        assertThatThrownBy(() -> ConnectionConfig.builder().streamIdleTimeout(Duration.ofSeconds(-1)))
                .hasMessageContaining("streamIdleTimeout must be positive");
    }

    @Test
    void refusesHeadersTheHttpClientOwns() {
        assertThatThrownBy(() -> ConnectionConfig.builder().header("Host", "evil"))
                .hasMessageContaining("sets the Host header itself");
    }
}
