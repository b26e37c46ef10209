package dev.moat.execd;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.moat.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The services an agent might start inside a sandbox, on loopback ports, for the proxy to reach: an HTTP server (the
 * JDK's) and a WebSocket echo server (Jetty's).
 *
 * <ul>
 *   <li>any other path: answers JSON with the method, raw path, raw query, headers and body it received;
 *   <li>{@code /mirror}: streams the request body back as it reads it, chunked;
 *   <li>{@code /events}: an event stream of three events; each after the first waits for {@link #nextEvent};
 *   <li>{@code /status/{code}}: answers that status with a body, a custom header and a cookie;
 *   <li>WebSocket {@code /echo} on {@link #webSocketPort()}: sends every text message back.
 * </ul>
 */
final class LoopbackServices implements AutoCloseable {

    /** What {@code /echo} saw. */
    record Echo(String method, String path, String query, Map<String, String> headers, String body) {}

    /** Released once per event the {@code /events} stream may send after its first. */
    final Semaphore nextEvent = new Semaphore(0);

    private final HttpServer http;
    private final Server webSockets;

    private LoopbackServices(HttpServer http, Server webSockets) {
        this.http = http;
        this.webSockets = webSockets;
    }

    static LoopbackServices start() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        Server webSockets = new Server();
        ServerConnector connector = new ServerConnector(webSockets);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        webSockets.addConnector(connector);
        webSockets.setHandler(WebSocketUpgradeHandler.from(
                webSockets, container -> container.addMapping("/echo", (request, response, callback) -> new Echoer())));
        LoopbackServices services = new LoopbackServices(http, webSockets);
        http.createContext("/", LoopbackServices::echo);
        http.createContext("/mirror", LoopbackServices::mirror);
        http.createContext("/events", services::events);
        http.createContext("/status", LoopbackServices::status);
        http.start();
        webSockets.start();
        return services;
    }

    int httpPort() {
        return http.getAddress().getPort();
    }

    int webSocketPort() {
        return ((ServerConnector) webSockets.getConnectors()[0]).getLocalPort();
    }

    /** A loopback port where nothing listens (it was free a moment ago). */
    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void echo(HttpExchange exchange) throws IOException {
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders()
                .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
        String query = exchange.getRequestURI().getRawQuery();
        Echo echo = new Echo(
                exchange.getRequestMethod(),
                exchange.getRequestURI().getRawPath(),
                query == null ? "" : query,
                headers,
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        byte[] json = Json.mapper().writeValueAsBytes(echo);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, json.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(json);
        }
    }

    private static void mirror(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
        exchange.sendResponseHeaders(200, 0);
        try (InputStream in = exchange.getRequestBody();
                OutputStream out = exchange.getResponseBody()) {
            in.transferTo(out);
        }
    }

    private void events(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (int event = 1; event <= 3; event++) {
                if (event > 1 && !nextEvent.tryAcquire(60, TimeUnit.SECONDS)) {
                    return;
                }
                out.write(("data: event " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void status(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        int status = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
        byte[] body = ("status " + status).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("X-Service", "loopback");
        exchange.getResponseHeaders().add("Set-Cookie", "session=abc; Path=/");
        if (status / 100 == 3) {
            exchange.getResponseHeaders().add("Location", "/elsewhere");
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Sends every text message back to its sender. */
    public static final class Echoer implements Session.Listener.AutoDemanding {
        private Session session;

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }

        @Override
        public void onWebSocketText(String message) {
            session.sendText(message, Callback.NOOP);
        }
    }

    @Override
    public void close() throws Exception {
        http.stop(0);
        webSockets.stop();
    }
}
