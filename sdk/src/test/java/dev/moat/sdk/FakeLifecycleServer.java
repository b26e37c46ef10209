package dev.moat.sdk;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A hand-written lifecycle API (the OpenSandbox spec's shapes, kept in memory) for the SDK's create/connect/pause/
 * resume/kill flows, including the failures a real server cannot be made to show on demand: a sandbox that fails
 * while starting, one that stays Pending, one whose execd never answers. Its endpoints point at a real execd. Every
 * state change that is asynchronous on a real server takes a few polls here too.
 */
final class FakeLifecycleServer implements AutoCloseable {

    private static final Pattern SANDBOX = Pattern.compile("/v1/sandboxes/([^/]+)(/.*)?");

    /** What a new sandbox does after creation: becomes Running, or Failed, after some polls; or stays Pending. */
    enum Fate {
        RUNS,
        FAILS,
        STAYS_PENDING
    }

    /** A recorded request. */
    record Call(String method, String path, String query, String body, String apiKey) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, Map<String, Object>> sandboxes = new ConcurrentHashMap<>();
    private final Map<String, String> pendingState = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> pollsLeft = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile Fate fate = Fate.RUNS;
    private volatile String execdAddress;
    private volatile Map<String, String> endpointHeaders = Map.of();

    FakeLifecycleServer(String execdUrl) throws IOException {
        this.execdAddress = execdUrl.substring(execdUrl.indexOf("://") + 3);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/v1/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void fate(Fate next) {
        this.fate = next;
    }

    /** Where endpoints point (host:port/path, without scheme), and the headers they ask for. */
    void endpoint(String address, Map<String, String> headers) {
        this.execdAddress = address;
        this.endpointHeaders = Map.copyOf(headers);
    }

    List<Call> calls() {
        return calls;
    }

    List<Call> calls(String method, String pathSuffix) {
        return calls.stream()
                .filter(c -> c.method().equals(method) && c.path().endsWith(pathSuffix))
                .toList();
    }

    /** Adds a sandbox directly, in a given state. */
    String add(String state, Map<String, String> metadata) {
        String id = "sbx-" + ids.incrementAndGet();
        sandboxes.put(id, sandbox(id, state, metadata));
        return id;
    }

    /** Drops a sandbox, as a server does once it expired and its record was reaped. */
    void forget(String id) {
        sandboxes.remove(id);
    }

    String state(String id) {
        @SuppressWarnings("unchecked")
        Map<String, Object> status = (Map<String, Object>) sandboxes.get(id).get("status");
        return (String) status.get("state");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            String method = exchange.getRequestMethod();
            calls.add(new Call(
                    method, path, query, body, exchange.getRequestHeaders().getFirst("OPEN-SANDBOX-API-KEY")));
            exchange.getResponseHeaders().set("X-Request-ID", "req-" + calls.size());
            if (path.equals("/v1/sandboxes")) {
                if (method.equals("POST")) {
                    create(exchange, body);
                } else {
                    list(exchange, query);
                }
                return;
            }
            Matcher matcher = SANDBOX.matcher(path);
            if (!matcher.matches() || !sandboxes.containsKey(matcher.group(1))) {
                error(exchange, 404, "SANDBOX_NOT_FOUND", "sandbox does not exist: " + path);
                return;
            }
            String id = matcher.group(1);
            String action = matcher.group(2) == null ? "" : matcher.group(2);
            switch (method + " " + action.replaceAll("/endpoints/\\d+", "/endpoints")) {
                case "GET " -> json(exchange, 200, poll(id));
                case "DELETE " -> {
                    transition(id, "Terminated", 0);
                    exchange.sendResponseHeaders(204, -1);
                }
                case "POST /pause" -> {
                    transition(id, "Pausing", 0);
                    transition(id, "Paused", 2);
                    exchange.sendResponseHeaders(202, -1);
                }
                case "POST /resume" -> {
                    transition(id, "Resuming", 0);
                    transition(id, "Running", 2);
                    exchange.sendResponseHeaders(202, -1);
                }
                case "POST /renew-expiration" -> {
                    String expiresAt =
                            JsonObject.of(Json.parse(body), "renewal").string("expiresAt");
                    sandboxes.get(id).put("expiresAt", expiresAt);
                    json(exchange, 200, Map.of("expiresAt", expiresAt));
                }
                case "GET /endpoints" ->
                    json(exchange, 200, Map.of("endpoint", execdAddress, "headers", endpointHeaders));
                default -> error(exchange, 404, "NOT_FOUND", "no route for " + method + " " + path);
            }
        } catch (RuntimeException e) {
            error(exchange, 500, "INTERNAL_ERROR", e.toString());
        }
    }

    private void create(HttpExchange exchange, String body) throws IOException {
        JsonObject request = JsonObject.of(Json.parse(body), "create request");
        String id = "sbx-" + ids.incrementAndGet();
        sandboxes.put(id, sandbox(id, "Pending", request.stringMap("metadata")));
        switch (fate) {
            case RUNS -> transition(id, "Running", 3);
            case FAILS -> transition(id, "Failed", 2);
            case STAYS_PENDING -> {}
        }
        Map<String, Object> answer = new LinkedHashMap<>(sandboxes.get(id));
        answer.remove("image");
        json(exchange, 202, answer);
    }

    private void list(HttpExchange exchange, String query) throws IOException {
        List<String> states = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (String parameter : (query == null ? "" : query).split("&")) {
            if (parameter.startsWith("state=")) {
                states.add(decode(parameter.substring(6)));
            } else if (parameter.startsWith("metadata=")) {
                for (String pair : decode(parameter.substring(9)).split("&")) {
                    String[] kv = pair.split("=", 2);
                    metadata.put(decode(kv[0]), decode(kv[1]));
                }
            }
        }
        List<Map<String, Object>> items = new ArrayList<>();
        for (String id : sandboxes.keySet().stream().sorted().toList()) {
            Map<String, Object> sandbox = poll(id);
            @SuppressWarnings("unchecked")
            Map<String, String> tags = (Map<String, String>) sandbox.get("metadata");
            if ((states.isEmpty() || states.contains(state(id)))
                    && tags.entrySet().containsAll(metadata.entrySet())) {
                items.add(sandbox);
            }
        }
        json(
                exchange,
                200,
                Map.of(
                        "items",
                        items,
                        "pagination",
                        Map.of(
                                "page",
                                1,
                                "pageSize",
                                20,
                                "totalItems",
                                items.size(),
                                "totalPages",
                                1,
                                "hasNextPage",
                                false)));
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    private Map<String, Object> sandbox(String id, String state, Map<String, String> metadata) {
        Map<String, Object> sandbox = new ConcurrentHashMap<>();
        sandbox.put("id", id);
        sandbox.put("image", Map.of("uri", "base"));
        sandbox.put("status", status(state));
        sandbox.put("metadata", new LinkedHashMap<>(metadata));
        sandbox.put("entrypoint", List.of("tail", "-f", "/dev/null"));
        sandbox.put("createdAt", Instant.now().toString());
        return sandbox;
    }

    private static Map<String, Object> status(String state) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("state", state);
        if (state.equals("Failed")) {
            status.put("reason", "runtime_error");
            status.put("message", "the image has no /bin/sh");
        }
        status.put("lastTransitionAt", Instant.now().toString());
        return status;
    }

    /** Schedules a state change: at once ({@code polls} 0) or after that many GETs of the sandbox. */
    private void transition(String id, String state, int polls) {
        if (polls == 0) {
            sandboxes.get(id).put("status", status(state));
            pendingState.remove(id);
        } else {
            pendingState.put(id, state);
            pollsLeft.put(id, new AtomicInteger(polls));
        }
    }

    private Map<String, Object> poll(String id) {
        AtomicInteger left = pollsLeft.get(id);
        if (left != null && pendingState.containsKey(id) && left.decrementAndGet() <= 0) {
            transition(id, pendingState.get(id), 0);
        }
        return sandboxes.get(id);
    }

    private static void json(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        json(exchange, status, Map.of("code", code, "message", message));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
