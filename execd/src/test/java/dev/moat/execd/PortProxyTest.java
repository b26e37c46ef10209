package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moat.http.Json;
import dev.moat.protocol.ErrorResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /proxy/{port}/**} in front of real services on loopback ports, through a real execd with an access token. */
class PortProxyTest {

    private static final String TOKEN = "proxy-test-token";

    private static LoopbackServices services;
    private static ExecdProcess execd;
    private static int execdTcpPort;

    @BeforeAll
    static void start() throws Exception {
        services = LoopbackServices.start();
        execdTcpPort = LoopbackServices.closedPort();
        execd = ExecdProcess.start(Map.of("EXECD_ACCESS_TOKEN", TOKEN), "--port", Integer.toString(execdTcpPort));
    }

    @AfterAll
    static void stop() throws Exception {
        execd.close();
        services.close();
    }

    @Test
    void getReachesTheServiceWithRawPathQueryAndEndToEndHeaders() throws Exception {
        ExecdClient.Response response = send(toService("GET", "/echo/a%20b/c%3Fd/?x=1&y=%2F&z")
                .headers(h -> h.put("X-Custom", "kept").put("Keep-Alive", "timeout=5")));

        assertThat(response.status()).isEqualTo(200);
        LoopbackServices.Echo echo = response.json(LoopbackServices.Echo.class);
        assertThat(echo.method()).isEqualTo("GET");
        assertThat(echo.path()).isEqualTo("/echo/a%20b/c%3Fd/");
        assertThat(echo.query()).isEqualTo("x=1&y=%2F&z");
        assertThat(echo.headers()).containsEntry("x-custom", "kept").containsKey("host");
        assertThat(echo.headers())
                .as("hop-by-hop headers and execd's token stay in execd")
                .doesNotContainKeys("keep-alive", "x-execd-access-token");
    }

    @Test
    void serviceSeesTheHeadersItWouldSeeWithoutTheProxy() throws Exception {
        try (HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String direct = "http://127.0.0.1:" + services.httpPort() + "/echo/headers";
            String proxied = "http://127.0.0.1:" + execdTcpPort + "/proxy/" + services.httpPort() + "/echo/headers";
            Map<String, String> seenDirectly = echoedHeaders(http, HttpRequest.newBuilder(URI.create(direct)));
            Map<String, String> seenThroughExecd = echoedHeaders(
                    http, HttpRequest.newBuilder(URI.create(proxied)).header(AccessTokenFilter.HEADER, TOKEN));

            seenDirectly.remove("host");
            seenThroughExecd.remove("host");
            assertThat(seenThroughExecd)
                    .as("no compression asked for, no user agent or token added")
                    .isEqualTo(seenDirectly);
        }
    }

    @Test
    void h2cUpgradeOfferIsDeclinedAndTheRequestForwarded() throws Exception {
        // the JDK client offers h2c on every plain-http request unless told to speak HTTP/1.1
        try (HttpClient http = HttpClient.newHttpClient()) {
            String proxied = "http://127.0.0.1:" + execdTcpPort + "/proxy/" + services.httpPort() + "/echo/h2c";
            Map<String, String> seen = echoedHeaders(
                    http, HttpRequest.newBuilder(URI.create(proxied)).header(AccessTokenFilter.HEADER, TOKEN));

            assertThat(seen).doesNotContainKeys("upgrade", "http2-settings", "connection");
        }
    }

    private static Map<String, String> echoedHeaders(HttpClient http, HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response =
                http.send(request.header("X-Custom", "same").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return new java.util.TreeMap<>(Json.mapper()
                .readValue(response.body(), LoopbackServices.Echo.class)
                .headers());
    }

    @Test
    void encodedSlashesPercentSignsAndEmptySegmentsReachTheServiceAsSent() throws Exception {
        LoopbackServices.Echo echo =
                send(toService("GET", "/api/queues/%2F/a%252Fb//c%2fd")).json(LoopbackServices.Echo.class);

        assertThat(echo.path()).isEqualTo("/api/queues/%2F/a%252Fb//c%2fd");
    }

    @Test
    void portAloneOrWithTrailingSlashReachesTheServiceRoot() throws Exception {
        String port = Integer.toString(services.httpPort());
        for (String path : List.of("/proxy/" + port, "/proxy/" + port + "/", "//proxy//" + port + "/")) {
            LoopbackServices.Echo echo = execd.client().get(path).json(LoopbackServices.Echo.class);
            assertThat(echo.path()).as(path).isEqualTo("/");
        }
        LoopbackServices.Echo echo =
                execd.client().get("/proxy/" + port + "?q=1").json(LoopbackServices.Echo.class);
        assertThat(echo.path()).isEqualTo("/");
        assertThat(echo.query()).isEqualTo("q=1");
    }

    @Test
    void postBodyReachesTheServiceWithItsLength() throws Exception {
        ExecdClient.Response response = send(toService("POST", "/echo/form")
                .body(new BytesRequestContent("text/plain", "hello service".getBytes(StandardCharsets.UTF_8))));

        LoopbackServices.Echo echo = response.json(LoopbackServices.Echo.class);
        assertThat(echo.method()).isEqualTo("POST");
        assertThat(echo.body()).isEqualTo("hello service");
        assertThat(echo.headers()).containsEntry("content-length", "13").containsEntry("content-type", "text/plain");
    }

    @Test
    void largeBodiesStreamBothWaysUnchanged() throws Exception {
        byte[] body = new byte[8 * 1024 * 1024 + 7];
        new Random(42).nextBytes(body);
        InputStreamResponseListener listener = new InputStreamResponseListener();
        toService("PUT", "/mirror")
                .body(new BytesRequestContent("application/octet-stream", body))
                .send(listener);

        assertThat(listener.get(30, TimeUnit.SECONDS).getStatus()).isEqualTo(200);
        try (InputStream mirrored = listener.getInputStream()) {
            assertThat(mirrored.readAllBytes()).isEqualTo(body);
        }
    }

    @Test
    void statusHeadersAndRedirectsOfTheServicePassThroughUnchanged() throws Exception {
        for (int status : List.of(201, 302, 404, 503)) {
            ExecdClient.Response response =
                    send(toService("GET", "/status/" + status).followRedirects(false));
            assertThat(response.status()).isEqualTo(status);
            assertThat(response.text()).isEqualTo("status " + status);
            assertThat(response.header("X-Service")).isEqualTo("loopback");
            assertThat(response.header("Set-Cookie")).isEqualTo("session=abc; Path=/");
            if (status == 302) {
                assertThat(response.header("Location"))
                        .as("not followed by execd")
                        .isEqualTo("/elsewhere");
            }
        }
    }

    @Test
    void eventStreamArrivesEventByEventBeforeTheServiceFinishes() throws Exception {
        InputStreamResponseListener listener = new InputStreamResponseListener();
        toService("GET", "/events").send(listener);
        Response response = listener.get(30, TimeUnit.SECONDS);
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getHeaders().get("Content-Type")).isEqualTo("text/event-stream");

        try (BufferedReader events =
                new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8))) {
            // the service sends each event only after the client has received the one before
            for (int event = 1; event <= 3; event++) {
                assertThat(events.readLine()).isEqualTo("data: event " + event);
                assertThat(events.readLine()).isEmpty();
                services.nextEvent.release();
            }
            assertThat(events.readLine())
                    .as("the stream ends when the service ends it")
                    .isNull();
        }
    }

    @Test
    void closedPortIs502NamingThePort() throws Exception {
        int port = LoopbackServices.closedPort();

        ExecdClient.Response response = execd.client().get("/proxy/" + port + "/anything");

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.error().code()).isEqualTo("BAD_GATEWAY");
        assertThat(response.error().message()).contains("port " + port);
    }

    @Test
    void portThatIsNotANumberFromOneTo65535Is400() throws Exception {
        for (String port : List.of("abc", "0", "65536", "-1", "+80", "99999999999", "8o80", "%38%30", "80%2Fx")) {
            ExecdClient.Response response = execd.client().get("/proxy/" + port + "/x");
            assertThat(response.status()).as(port).isEqualTo(400);
            ErrorResponse error = response.error();
            assertThat(error.code()).isEqualTo("INVALID_PORT");
            assertThat(error.message()).contains("1 to 65535");
        }
    }

    @Test
    void serviceThatDoesNotAnswerInTimeIs504() throws Exception {
        try (RawService silent = RawService.silent();
                ExecdProcess impatient = ExecdProcess.start(Map.of(PortProxy.TIMEOUT_VARIABLE, "1"))) {
            ExecdClient.Response response = impatient.client().get("/proxy/" + silent.port() + "/slow");

            assertThat(response.status()).isEqualTo(504);
            assertThat(response.error().code()).isEqualTo("GATEWAY_TIMEOUT");
            assertThat(response.error().message()).contains("port " + silent.port());
        }
    }

    @Test
    void proxyTimeoutThatIsNotAPositiveNumberStopsExecdWithAMessage() {
        assertThatThrownBy(() -> ExecdProcess.start(Map.of(PortProxy.TIMEOUT_VARIABLE, "soon")))
                .hasMessageContaining(
                        "EXECD_PROXY_TIMEOUT must be a whole number of seconds greater than 0, got 'soon'");
    }

    @Test
    void clientLeavingMidStreamClosesTheServiceConnection() throws Exception {
        try (RawService ticking = RawService.ticking()) {
            InputStreamResponseListener listener = new InputStreamResponseListener();
            Request request = execd.client().request("GET", "/proxy/" + ticking.port() + "/ticks");
            request.send(listener);
            try (BufferedReader ticks =
                    new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8))) {
                assertThat(ticks.readLine()).isEqualTo("data: tick");
            }

            request.abort(new IOException("the client leaves"));

            assertThat(ticking.closedByProxy.get(30, TimeUnit.SECONDS))
                    .as("the service sees its connection closed")
                    .isTrue();
        }
    }

    @Test
    void webSocketMessagesEchoThroughTheTunnel() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket.Listener collector = new WebSocket.Listener() {
            private final StringBuilder message = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket socket, CharSequence part, boolean last) {
                message.append(part);
                if (last) {
                    received.add(message.toString());
                    message.setLength(0);
                }
                socket.request(1);
                return null;
            }
        };
        URI uri = URI.create("ws://127.0.0.1:" + execdTcpPort + "/proxy/" + services.webSocketPort() + "/echo?room=1");
        try (HttpClient http = HttpClient.newHttpClient()) {
            WebSocket socket = http.newWebSocketBuilder()
                    .header(AccessTokenFilter.HEADER, TOKEN)
                    .buildAsync(uri, collector)
                    .get(30, TimeUnit.SECONDS);
            for (String message : List.of("hello", "through", "x".repeat(60_000))) {
                socket.sendText(message, true).get(30, TimeUnit.SECONDS);
                assertThat(received.poll(30, TimeUnit.SECONDS)).isEqualTo(message);
            }
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void upgradeTheServiceRefusesIsRelayedAsItsAnswer() throws Exception {
        ExecdClient.Response response = send(toService("GET", "/status/426")
                .headers(h -> h.put("Connection", "Upgrade").put("Upgrade", "websocket")));

        assertThat(response.status()).isEqualTo(426);
        assertThat(response.text()).isEqualTo("status 426");
        assertThat(response.header("X-Service")).isEqualTo("loopback");
    }

    /** A request through execd to the loopback HTTP service, for the path after the port. */
    private static Request toService(String method, String pathAndQuery) {
        return execd.client().request(method, "/proxy/" + services.httpPort() + pathAndQuery);
    }

    private static ExecdClient.Response send(Request request) throws Exception {
        return execd.client().send(request);
    }

    /**
     * A service on a plain socket that accepts one connection and reads the request head. A silent one never answers; a
     * ticking one answers with an event stream and sends a tick every 100 ms. Either reports when the proxy closes the
     * connection.
     */
    private static final class RawService implements AutoCloseable {
        private static final byte[] TICKS_HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        private static final byte[] TICK = "c\r\ndata: tick\n\n\r\n".getBytes(StandardCharsets.US_ASCII);

        private final ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        final CompletableFuture<Boolean> closedByProxy = new CompletableFuture<>();

        static RawService silent() throws IOException {
            return new RawService(false);
        }

        static RawService ticking() throws IOException {
            return new RawService(true);
        }

        private RawService(boolean ticking) throws IOException {
            Thread.ofVirtual().start(() -> {
                try (Socket socket = server.accept()) {
                    InputStream in = socket.getInputStream();
                    readHead(in);
                    if (ticking) {
                        socket.getOutputStream().write(TICKS_HEAD);
                        socket.setSoTimeout(100);
                    }
                    closedByProxy.complete(awaitClose(socket, in, ticking));
                } catch (IOException e) {
                    closedByProxy.complete(true); // a reset by the proxy is a close too
                }
            });
        }

        private static boolean awaitClose(Socket socket, InputStream in, boolean ticking) throws IOException {
            while (true) {
                if (ticking) {
                    socket.getOutputStream().write(TICK);
                }
                try {
                    return in.read() < 0;
                } catch (SocketTimeoutException e) {
                    // still open: next tick
                }
            }
        }

        int port() {
            return server.getLocalPort();
        }

        private static void readHead(InputStream in) throws IOException {
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            while (matched < end.length) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed inside the request head");
                }
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
