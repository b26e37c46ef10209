package dev.moat.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How every failure of a call surfaces: one {@link SandboxApiException} that says what happened. */
class TransportFailuresTest {

    private TestHttpServer server;
    private final CountDownLatch never = new CountDownLatch(1);

    @BeforeEach
    void startServer() throws IOException {
        server = TestHttpServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    /** Generous timeouts: the machine may be busy; only the timeout tests shorten one of them. */
    private ConnectionConfig connection() {
        return connection(Duration.ofSeconds(20), Duration.ofSeconds(20));
    }

    private ConnectionConfig connection(Duration requestTimeout, Duration streamIdleTimeout) {
        return ConnectionConfig.builder()
                .baseUrl(server.url())
                .apiKey("key-1")
                .header("X-Team", "blue")
                .requestTimeout(requestTimeout)
                .streamIdleTimeout(streamIdleTimeout)
                .build();
    }

    private ExecdClient execd() {
        return ExecdClient.connect(server.url(), connection());
    }

    @Test
    void anErrorAnswerCarriesStatusCodeMessageAndRequestId() {
        server.on("GET", "/v1/sandboxes/sbx-404", (exchange, request) -> {
            exchange.getResponseHeaders().set("X-Request-ID", "req-77");
            TestHttpServer.send(
                    exchange,
                    404,
                    "application/json",
                    "{\"code\":\"SANDBOX_NOT_FOUND\",\"message\":\"sandbox 'sbx-404' does not exist\"}");
        });

        SandboxApiException e = catchThrowableOfType(
                SandboxApiException.class, () -> SandboxManager.of(connection()).get("sbx-404"));

        assertThat(e.status()).isEqualTo(404);
        assertThat(e.code()).isEqualTo("SANDBOX_NOT_FOUND");
        assertThat(e.serverMessage()).isEqualTo("sandbox 'sbx-404' does not exist");
        assertThat(e.requestId()).hasValue("req-77");
        assertThat(e.getMessage())
                .isEqualTo("GET " + server.url() + "/v1/sandboxes/sbx-404: 404 SANDBOX_NOT_FOUND: sandbox 'sbx-404'"
                        + " does not exist (request id req-77)");
    }

    @Test
    void everyCallSendsTheApiKeyAndTheExtraHeaders() {
        server.on("GET", "/ping", (exchange, request) -> TestHttpServer.send(exchange, 200, "text/plain", ""));

        execd().ping();

        TestHttpServer.Request request = server.requests().get(0);
        assertThat(request.header("OPEN-SANDBOX-API-KEY")).isEqualTo("key-1");
        assertThat(request.header("X-Team")).isEqualTo("blue");
        assertThat(request.header("User-Agent")).startsWith("moat-sdk-java/");
    }

    @Test
    void anErrorPageThatIsNotJsonBecomesTheMessage() {
        server.on(
                "GET",
                "/metrics",
                (exchange, request) ->
                        TestHttpServer.send(exchange, 502, "text/html", "<html><body>Bad Gateway</body></html>"));

        SandboxApiException e = catchThrowableOfType(SandboxApiException.class, () -> execd().metrics());

        assertThat(e.status()).isEqualTo(502);
        assertThat(e.code()).isEqualTo(SandboxApiException.UNEXPECTED_RESPONSE);
        assertThat(e.serverMessage()).contains("Bad Gateway");
        assertThat(e.requestId()).isEmpty();
    }

    @Test
    void aSuccessfulAnswerOfTheWrongShapeIsUnexpected() {
        server.on(
                "GET",
                "/metrics",
                (exchange, request) ->
                        TestHttpServer.send(exchange, 200, "application/json", "{\"cpu_count\":\"four\"}"));
        server.on(
                "GET",
                "/code/contexts/c1",
                (exchange, request) -> TestHttpServer.send(exchange, 200, "application/json", "not json"));

        SandboxApiException shape = catchThrowableOfType(SandboxApiException.class, () -> execd().metrics());
        assertThat(shape.status()).isEqualTo(200);
        assertThat(shape.code()).isEqualTo(SandboxApiException.UNEXPECTED_RESPONSE);
        assertThat(shape.serverMessage()).contains("cpu_count").contains("not a number");

        SandboxApiException notJson = catchThrowableOfType(
                SandboxApiException.class, () -> execd().code().context("c1"));
        assertThat(notJson.serverMessage()).contains("invalid JSON");
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws IOException {
        // the kernel completes the handshake from the listen backlog; nothing ever accepts, reads or answers
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ExecdClient client = ExecdClient.connect(
                    "http://127.0.0.1:" + silent.getLocalPort(),
                    connection(Duration.ofMillis(500), Duration.ofSeconds(20)));

            SandboxApiException e = catchThrowableOfType(SandboxApiException.class, client::ping);

            assertThat(e.status()).isZero();
            assertThat(e.code()).isEqualTo(SandboxApiException.TIMEOUT);
            assertThat(e.getMessage()).contains("GET http://127.0.0.1:" + silent.getLocalPort() + "/ping");
            assertThat(client.isHealthy()).isFalse();
        }
    }

    @Test
    void aClosedPortFailsToConnect() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        ExecdClient client = ExecdClient.connect("http://127.0.0.1:" + port, connection());

        SandboxApiException e = catchThrowableOfType(SandboxApiException.class, client::ping);

        assertThat(e.code()).isEqualTo(SandboxApiException.CONNECTION_FAILED);
        assertThat(e.getMessage()).contains("cannot connect");
    }

    @Test
    void aStreamThatFallsSilentTimesOut() {
        server.on("POST", "/command", (exchange, request) -> {
            TestHttpServer.stream(exchange, "{\"type\":\"init\",\"text\":\"cmd-1\"}");
            never.await(); // headers and one event, then nothing
        });
        List<String> seen = new ArrayList<>();

        ExecdClient client =
                ExecdClient.connect(server.url(), connection(Duration.ofSeconds(20), Duration.ofMillis(700)));

        SandboxApiException e = catchThrowableOfType(
                SandboxApiException.class,
                () -> client.commands().run("sleep 1000", new ExecutionHandler() {
                    @Override
                    public void onInit(String id) {
                        seen.add(id);
                    }
                }));

        assertThat(seen).containsExactly("cmd-1");
        assertThat(e.code()).isEqualTo(SandboxApiException.TIMEOUT);
        assertThat(e.getMessage()).contains("sent nothing for 700 ms");
    }

    @Test
    void aStreamThatEndsWithoutATerminalEventIsUnexpected() {
        server.on(
                "POST",
                "/code",
                (exchange, request) -> TestHttpServer.stream(
                                exchange,
                                "{\"type\":\"init\",\"text\":\"ctx\"}",
                                "{\"type\":\"stdout\",\"text\":\"half\"}")
                        .close());

        SandboxApiException e = catchThrowableOfType(
                SandboxApiException.class, () -> execd().code().run("print(1)"));

        assertThat(e.code()).isEqualTo(SandboxApiException.UNEXPECTED_RESPONSE);
        assertThat(e.serverMessage()).contains("ended before execution_complete or error");
    }

    @Test
    void aStreamRefusedUpFrontCarriesTheServersError() {
        server.on(
                "POST",
                "/command",
                (exchange, request) -> TestHttpServer.send(
                        exchange,
                        400,
                        "application/json",
                        "{\"code\":\"INVALID_REQUEST_BODY\",\"message\":\"gid requires uid\"}"));

        assertThatThrownBy(() -> execd().commands().run("id")).isInstanceOfSatisfying(SandboxApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo("INVALID_REQUEST_BODY");
        });
    }

    @Test
    void aHandlersOwnExceptionReachesTheCallerUnchanged() {
        server.on("POST", "/command", (exchange, request) -> {
            TestHttpServer.stream(
                    exchange, "{\"type\":\"init\",\"text\":\"c\"}", "{\"type\":\"stdout\",\"text\":\"x\"}");
            never.await();
        });
        IllegalArgumentException mine = new IllegalArgumentException("the handler's own");

        assertThatThrownBy(() -> execd().commands().run("yes", ExecutionHandler.onStdout(line -> {
                    throw mine;
                })))
                .isSameAs(mine);
    }

    @Test
    void anInterruptedCallerStopsWaitingAndKeepsItsInterruptFlag() throws Exception {
        CountDownLatch streaming = new CountDownLatch(1);
        server.on("POST", "/command", (exchange, request) -> {
            TestHttpServer.stream(exchange, "{\"type\":\"init\",\"text\":\"c\"}");
            streaming.countDown();
            never.await();
        });
        ExecdClient client = ExecdClient.connect(
                server.url(),
                ConnectionConfig.builder()
                        .baseUrl(server.url())
                        .streamIdleTimeout(Duration.ofMinutes(5))
                        .build());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();

        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                client.commands().run("sleep 1000");
            } catch (Throwable e) {
                failure.set(e);
                flag.set(Thread.currentThread().isInterrupted());
            }
        });
        streaming.await();
        caller.interrupt();
        caller.join();

        assertThat(failure.get())
                .isInstanceOfSatisfying(
                        SandboxApiException.class,
                        e -> assertThat(e.code()).isEqualTo(SandboxApiException.INTERRUPTED));
        assertThat(flag.get()).isTrue();
    }

    @Test
    void aDownloadStreamFailsAReadWhenTheServerStalls() throws IOException {
        server.on("GET", "/files/download", (exchange, request) -> {
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write(new byte[] {1, 2, 3});
            exchange.getResponseBody().flush();
            never.await();
        });

        ExecdClient client =
                ExecdClient.connect(server.url(), connection(Duration.ofSeconds(20), Duration.ofMillis(700)));

        try (InputStream in = client.files().open("/w/file")) {
            assertThat(in.readNBytes(3)).containsExactly(1, 2, 3);
            assertThatThrownBy(in::read)
                    .isInstanceOf(java.net.http.HttpTimeoutException.class)
                    .hasMessageContaining("/files/download");
        }
    }
}
