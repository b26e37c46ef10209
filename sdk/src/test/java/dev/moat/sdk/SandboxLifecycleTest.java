package dev.moat.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK's lifecycle flows (create, wait, connect, pause, resume, renew, kill, list) against a hand-written lifecycle
 * API whose endpoints lead to a real execd. The same flows against the real Moat server are in {@link MoatEndToEndTest}.
 */
class SandboxLifecycleTest {

    private static final String EXECD_TOKEN = "execd-secret";

    private static LocalExecd execd;
    private FakeLifecycleServer server;
    private ConnectionConfig connection;

    @BeforeAll
    static void startExecd() throws Exception {
        // execd demands a token that only the endpoint's headers carry: calls succeed only if those are sent along
        execd = LocalExecd.start(
                Map.of(),
                ConnectionConfig.builder(Map.of())
                        .header("X-EXECD-ACCESS-TOKEN", EXECD_TOKEN)
                        .build(),
                "--access-token",
                EXECD_TOKEN);
    }

    @AfterAll
    static void stopExecd() throws Exception {
        if (execd != null) {
            execd.close();
        }
    }

    @BeforeEach
    void startServer() throws IOException {
        server = new FakeLifecycleServer(execd.url());
        server.endpoint(execd.url().substring("http://".length()), Map.of("X-EXECD-ACCESS-TOKEN", EXECD_TOKEN));
        connection = ConnectionConfig.of(server.url() + "/v1", "api-key-1");
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void createWaitsUntilTheSandboxRunsAndItsExecdAnswers() {
        try (Sandbox sandbox = Sandbox.builder(connection)
                .image("base")
                .env("A", "1")
                .metadata("owner", "test")
                .timeout(Duration.ofMinutes(5))
                .create()) {

            assertThat(server.state(sandbox.id())).isEqualTo("Running");
            assertThat(sandbox.isHealthy()).isTrue();
            assertThat(sandbox.info().metadata()).containsEntry("owner", "test");
            assertThat(sandbox.execd().baseUrl().toString()).isEqualTo(execd.url());
            assertThat(server.calls("GET", "/endpoints/44772")).hasSize(1);
            assertThat(server.calls())
                    .allSatisfy(call -> assertThat(call.apiKey()).isEqualTo("api-key-1"));
            JsonObject request = JsonObject.of(
                    Json.parse(server.calls("POST", "/v1/sandboxes").get(0).body()), "r");
            assertThat(request.longValue("timeout")).isEqualTo(300);
            assertThat(request.stringMap("env")).containsEntry("A", "1");
        }
    }

    @Test
    void closingTheSandboxKillsItOnce() {
        Sandbox sandbox = Sandbox.builder(connection).image("base").create();
        String id = sandbox.id();

        sandbox.close();
        sandbox.close();

        assertThat(server.state(id)).isEqualTo("Terminated");
        assertThat(server.calls("DELETE", "/" + id)).hasSize(1);
    }

    @Test
    void aSandboxThatFailsToStartIsReportedWithTheServersReasonAndDeleted() {
        server.fate(FakeLifecycleServer.Fate.FAILS);

        SandboxApiException e = catchThrowableOfType(
                SandboxApiException.class,
                () -> Sandbox.builder(connection).image("base").create());

        assertThat(e.code()).isEqualTo(SandboxApiException.SANDBOX_FAILED);
        assertThat(e.getMessage()).contains("Failed (runtime_error: the image has no /bin/sh)");
        assertThat(server.calls("DELETE", "/sbx-1")).hasSize(1);
    }

    @Test
    void aSandboxThatNeverRunsTimesOutAndIsDeleted() {
        server.fate(FakeLifecycleServer.Fate.STAYS_PENDING);

        SandboxApiException e = createFailingWithin(Duration.ofSeconds(1));

        assertThat(e.code()).isEqualTo(SandboxApiException.READY_TIMEOUT);
        assertThat(e.getMessage()).contains("sbx-1 is still Pending after 1 s");
        assertThat(server.state("sbx-1")).isEqualTo("Terminated");
    }

    @Test
    void aSandboxWhoseExecdNeverAnswersTimesOutAndIsDeleted() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        server.endpoint("127.0.0.1:" + closedPort + "/sandboxes/x/proxy/44772", Map.of());

        SandboxApiException e = createFailingWithin(Duration.ofSeconds(1));

        assertThat(e.code()).isEqualTo(SandboxApiException.READY_TIMEOUT);
        assertThat(e.getMessage())
                .contains("execd of sandbox sbx-1 at http://127.0.0.1:" + closedPort + "/sandboxes/x/proxy/44772")
                .contains("cannot connect");
        assertThat(e.getCause()).isInstanceOf(SandboxApiException.class);
        assertThat(server.state("sbx-1")).isEqualTo("Terminated");
    }

    @Test
    void pauseWaitsUntilPausedAndResumeUntilRunningAgain() {
        try (Sandbox sandbox = Sandbox.builder(connection).image("base").create()) {
            sandbox.pause();
            assertThat(server.state(sandbox.id())).isEqualTo("Paused");
            assertThat(sandbox.info().state()).isEqualTo(SandboxState.PAUSED);

            sandbox.resume();
            assertThat(sandbox.info().state()).isEqualTo(SandboxState.RUNNING);
            assertThat(sandbox.isHealthy()).isTrue();
        }
    }

    @Test
    void renewSendsTheNewExpiryAndReturnsTheServersOne() {
        try (Sandbox sandbox = Sandbox.builder(connection).image("base").create()) {
            Instant before = Instant.now();

            Instant expiresAt = sandbox.renew(Duration.ofMinutes(30));

            assertThat(expiresAt)
                    .isBetween(
                            before.plus(Duration.ofMinutes(30)), Instant.now().plus(Duration.ofMinutes(30)));
            String sent = server.calls("POST", "/renew-expiration").get(0).body();
            assertThat(Instant.parse(JsonObject.of(Json.parse(sent), "renewal").string("expiresAt")))
                    .isEqualTo(expiresAt);
        }
    }

    @Test
    void connectFindsAnExistingSandboxButNotAPausedOne() {
        String running = server.add("Running", Map.of());
        String paused = server.add("Paused", Map.of());

        Sandbox connected = Sandbox.connect(running, connection);
        assertThat(connected.id()).isEqualTo(running);
        assertThat(connected.isHealthy()).isTrue();

        SandboxApiException e =
                catchThrowableOfType(SandboxApiException.class, () -> Sandbox.connect(paused, connection));
        assertThat(e.code()).isEqualTo(SandboxApiException.WRONG_STATE);
        assertThat(e.getMessage()).contains("is Paused").contains("resume it first");
        assertThat(server.calls("DELETE", paused)).isEmpty();
    }

    @Test
    void listSendsStatesMetadataAndPaging() {
        server.add("Running", Map.of("team", "a b", "note", "x&y=z"));
        server.add("Paused", Map.of("team", "a b", "note", "x&y=z"));
        server.add("Running", Map.of("team", "other"));

        SandboxPage page = Sandbox.list(
                connection,
                SandboxFilter.all()
                        .withState(SandboxState.RUNNING, SandboxState.PAUSED)
                        .withMetadata("team", "a b")
                        .withMetadata("note", "x&y=z")
                        .withPageSize(50));

        assertThat(page.items()).extracting(SandboxInfo::id).containsExactly("sbx-1", "sbx-2");
        String query = server.calls("GET", "/v1/sandboxes").get(0).query();
        assertThat(query).startsWith("state=Running&state=Paused&metadata=").endsWith("&page=1&pageSize=50");
        String metadata = URLDecoder.decode(query.replaceAll(".*metadata=([^&]*).*", "$1"), StandardCharsets.UTF_8);
        assertThat(metadata).isEqualTo("team=a%20b&note=x%26y%3Dz");
    }

    @Test
    void closingASandboxTheServerForgotIsQuietButKillingItIsNot() {
        Sandbox closed = Sandbox.builder(connection).image("base").create();
        Sandbox killed = Sandbox.builder(connection).image("base").create();
        server.forget(closed.id());
        server.forget(killed.id());

        closed.close();

        assertThat(server.calls("DELETE", "/" + closed.id())).hasSize(1);
        SandboxApiException e = catchThrowableOfType(SandboxApiException.class, killed::kill);
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.code()).isEqualTo("SANDBOX_NOT_FOUND");
        assertThat(e.requestId()).isPresent();
    }

    @Test
    void aBuilderWithoutImageOrWithAShortTimeoutIsRefusedUpFront() {
        assertThatThrownBy(() -> Sandbox.builder(connection).create()).hasMessageContaining("set the image first");
        assertThatThrownBy(() -> Sandbox.builder(connection).timeout(Duration.ofSeconds(59)))
                .hasMessageContaining("at least 60 s");
        assertThat(server.calls()).isEmpty();
    }

    private SandboxApiException createFailingWithin(Duration readyTimeout) {
        return catchThrowableOfType(
                SandboxApiException.class,
                () -> Sandbox.builder(connection)
                        .image("base")
                        .readyTimeout(readyTimeout)
                        .create());
    }
}
