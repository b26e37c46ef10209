package dev.moat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sandbox proxy of the real server: execd's own API on port 44772 (commands, code, files), and services an agent
 * starts on other ports: plain HTTP, event streams that arrive piece by piece, chunked bodies, WebSocket.
 */
class ProxyTest {

    private static final int HTTP_PORT = 8081;
    private static final int SSE_PORT = 8082;
    private static final int WS_PORT = 8083;

    private static ServerProcess server;
    private static Api api;
    private static String id;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(Map.of());
        api = server.api();
        id = api.awaitState(api.create("base", Map.of()), "Running");
        upload("/opt/test/ws_echo.py", resource("ws_echo.py"));
        upload("/opt/test/sse_gate.py", resource("sse_gate.py"));
        run("mkdir -p /tmp/www/a && echo hello > /tmp/www/a/index.txt");
        start("python3 -m http.server " + HTTP_PORT + " --bind 127.0.0.1 --directory /tmp/www");
        start("python3 /opt/test/sse_gate.py " + SSE_PORT);
        start("python3 /opt/test/ws_echo.py " + WS_PORT);
        for (int port : List.of(HTTP_PORT, SSE_PORT)) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> proxied(port, "/", "POST").status() != 502);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static String proxy(int port) {
        return "/sandboxes/" + id + "/proxy/" + port;
    }

    private static Api.Reply proxied(int port, String path, String method) {
        return api.send(method, proxy(port) + path, method.equals("GET") ? null : "", Map.of());
    }

    private static Api.Reply run(String command) {
        Api.Reply reply = api.post(proxy(44772) + "/command", Map.of("command", command));
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        return reply;
    }

    /** Starts a service in the background; its output goes to /tmp/services.log. */
    private static void start(String command) {
        run("nohup " + command + " >>/tmp/services.log 2>&1 &");
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ProxyTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    /** Uploads through the proxy as execd's multipart form: a metadata part, then the file part. */
    private static Api.Reply upload(String path, byte[] content) {
        String boundary = "moat-test-boundary";
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                        + "Content-Type: application/json\r\n\r\n{\"path\":\"" + path + "\",\"mode\":644}\r\n"
                        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n"
                        + "Content-Type: application/octet-stream\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        Api.Reply reply = api.send(api.request(proxy(44772) + "/files/upload")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArrays(List.of(head, content, tail))));
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        return reply;
    }

    @Test
    void commandsStreamTheirOutputAsItComes() throws Exception {
        HttpResponse<Stream<String>> response = api.http()
                .send(
                        api.request(proxy(44772) + "/command")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"command\":\"echo first; while [ ! -f /tmp/cmd-gate ]; do sleep 0.02; done;"
                                                + " echo second\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        Iterator<String> lines = response.body().filter(line -> !line.isBlank()).iterator();

        assertThat(lines.next()).contains("\"type\":\"init\"");
        assertThat(lines.next()).contains("\"text\":\"first\"");
        // only now may the command go on: had the proxy held the answer back, "first" would not have come
        run("touch /tmp/cmd-gate");
        assertThat(lines.next()).contains("\"text\":\"second\"");
        assertThat(lines.next()).contains("execution_complete");
    }

    @Test
    void codeContextsKeepTheirState() {
        Api.Reply context = api.post(proxy(44772) + "/code/context", Map.of("language", "python"));
        assertThat(context.status()).as("%s", context).isEqualTo(200);
        Map<String, String> ctx = Map.of("id", context.json().path("id").asText(), "language", "python");

        assertThat(api.post(proxy(44772) + "/code", Map.of("context", ctx, "code", "x = 1 + 1"))
                        .status())
                .isEqualTo(200);
        Api.Reply result = api.post(proxy(44772) + "/code", Map.of("context", ctx, "code", "x * 21"));

        assertThat(result.body()).contains("\"text/plain\":\"42\"");
    }

    @Test
    void filesGoUpAndComeBackUnchanged() {
        byte[] content = new byte[300_000];
        new java.util.Random(7).nextBytes(content);
        upload("/workspace/blob.bin", content);

        HttpResponse<byte[]> download = sendBytes(
                api.request(proxy(44772) + "/files/download?path=" + LifecycleApiTest.encode("/workspace/blob.bin"))
                        .GET());

        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(content);
    }

    @Test
    void aServiceInTheSandboxAnswersOnItsPortWithPathsAsSent() {
        assertThat(proxied(HTTP_PORT, "/a/index.txt", "GET").body()).isEqualTo("hello\n");
        // an encoded slash reaches the service still encoded
        assertThat(proxied(SSE_PORT, "/files/a%2Fb?x=%2F", "POST").header("X-Path"))
                .hasValue("/files/a%2Fb?x=%2F");
        Api.Reply nothing = proxied(9, "/", "GET");
        assertThat(nothing.status()).isEqualTo(502);
        assertThat(nothing.code()).isEqualTo("BAD_GATEWAY");
    }

    @Test
    void aClientThatOffersH2cIsServedOverHttp11() throws Exception {
        // the JDK client's default: every plain-http request offers an upgrade to h2c, which is never tunnelled
        try (java.net.http.HttpClient http2 = java.net.http.HttpClient.newHttpClient()) {
            HttpResponse<String> response = http2.send(
                    HttpRequest.newBuilder(URI.create(server.baseUrl() + proxy(HTTP_PORT) + "/a/index.txt"))
                            .header(ApiKeyFilter.API_KEY_HEADER, ServerProcess.API_KEY)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello\n");
        }
    }

    @Test
    void eventStreamsOfAServiceArriveEventByEvent() throws Exception {
        HttpResponse<Stream<String>> response =
                api.http().send(api.request(proxy(SSE_PORT) + "/").GET().build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        Iterator<String> lines = response.body().filter(line -> !line.isBlank()).iterator();

        assertThat(lines.next()).isEqualTo("data: first");
        run("touch /tmp/gate");
        assertThat(lines.next()).isEqualTo("data: second");
    }

    @Test
    void chunkedRequestBodiesReachTheServiceWhole() {
        byte[] body = new byte[200_000];
        new java.util.Random(3).nextBytes(body);
        // a stream of unknown length: the JDK client sends it chunked
        HttpResponse<byte[]> echoed = sendBytes(api.request(proxy(SSE_PORT) + "/echo?q=1")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));

        assertThat(echoed.statusCode()).isEqualTo(200);
        assertThat(echoed.headers().firstValue("X-Path")).hasValue("/echo?q=1");
        assertThat(echoed.body()).isEqualTo(body);

        Api.Reply command = api.send(api.request(proxy(44772) + "/command")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream("{\"command\":\"echo chunked\"}".getBytes()))));
        assertThat(command.body()).contains("\"text\":\"chunked\"");
    }

    @Test
    void webSocketMessagesGoBothWaysThroughTheProxy() throws Exception {
        Messages messages = new Messages();
        WebSocket socket = api.http()
                .newWebSocketBuilder()
                .header(ApiKeyFilter.API_KEY_HEADER, ServerProcess.API_KEY)
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + proxy(WS_PORT) + "/echo"), messages)
                .get(30, TimeUnit.SECONDS);

        socket.sendText("hello through moat", true).get(10, TimeUnit.SECONDS);
        assertThat(messages.next()).isEqualTo("hello through moat");
        String large = "x".repeat(100_000);
        socket.sendText(large, true).get(10, TimeUnit.SECONDS);
        assertThat(messages.next()).isEqualTo(large);
        socket.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).get(10, TimeUnit.SECONDS);
        assertThat(messages.next()).isEqualTo("binary:3");

        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        assertThat(messages.closed.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
    }

    @Test
    void anUpgradeThatTheServiceDoesNotTakeIsAnsweredLikeAnyRequest() throws IOException {
        // execd's own /ping speaks no WebSocket: its plain answer comes back through the tunnel's relay
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET " + proxy(44772) + "/ping HTTP/1.1\r\nHost: localhost\r\n"
                                    + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                    + ApiKeyFilter.API_KEY_HEADER + ": " + ServerProcess.API_KEY + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            byte[] head = new byte[12];
            socket.getInputStream().readNBytes(head, 0, head.length);
            assertThat(new String(head, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200");
        }
    }

    @Test
    void aWebSocketToAPortWhereNothingListensIsRefused() throws Exception {
        CompletableFuture<WebSocket> socket = api.http()
                .newWebSocketBuilder()
                .header(ApiKeyFilter.API_KEY_HEADER, ServerProcess.API_KEY)
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + proxy(9) + "/"), new Messages());

        assertThat(socket)
                .failsWithin(Duration.ofSeconds(30))
                .withThrowableThat()
                .havingCause()
                .isInstanceOfSatisfying(
                        java.net.http.WebSocketHandshakeException.class,
                        e -> assertThat(e.getResponse().statusCode()).isEqualTo(502));
    }

    @Test
    void aBodyThatExecdRefusesEarlyIsAnsweredNotAFiveHundred() {
        byte[] huge = new byte[8 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        Api.Reply reply;
        try {
            reply = api.send(api.request(proxy(44772) + "/command")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(huge)));
        } catch (UncheckedIOException e) {
            throw new AssertionError("no answer at all: " + e + "\n" + server.log(), e);
        }
        assertThat(reply.status()).as("%s", reply).isIn(413, 502);
        JsonNode error = reply.json();
        assertThat(error.path("code").asText()).isNotBlank();
        assertThat(error.path("message").asText()).isNotBlank();
    }

    private static HttpResponse<byte[]> sendBytes(HttpRequest.Builder request) {
        try {
            return api.http().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Collects whole messages: text as is, binary as {@code binary:<length>}. */
    private static final class Messages implements WebSocket.Listener {
        private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        private final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private int binary;

        String next() throws InterruptedException {
            String message = received.poll(10, TimeUnit.SECONDS);
            assertThat(message).as("a message within 10 s").isNotNull();
            return message;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                received.add(text.toString());
                text.setLength(0);
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
            binary += data.remaining();
            if (last) {
                received.add("binary:" + binary);
                binary = 0;
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
            closed.complete(status);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
