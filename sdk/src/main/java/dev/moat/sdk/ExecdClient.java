package dev.moat.sdk;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A client of one execd, the daemon inside a sandbox: commands, code, files and metrics. {@link Sandbox} makes one
 * from the endpoint the server hands out; make one directly to talk to an execd whose URL you know (a sandbox's
 * {@code /sandboxes/{id}/proxy/44772} path on the server, or an execd on a local port during development). Safe for
 * concurrent use.
 */
public final class ExecdClient {

    /** The port execd listens on inside a sandbox, and the one whose endpoint the lifecycle API hands out. */
    public static final int EXECD_PORT = 44772;

    private final HttpTransport transport;
    private final Commands commands;
    private final Code code;
    private final SandboxFiles files;

    private ExecdClient(HttpTransport transport) {
        this.transport = transport;
        this.commands = new Commands(transport);
        this.code = new Code(transport);
        this.files = new SandboxFiles(transport);
    }

    /** The execd at {@code baseUrl}, with the API key and timeouts from the environment ({@link ConnectionConfig}). */
    public static ExecdClient connect(String baseUrl) {
        return connect(baseUrl, ConnectionConfig.fromEnvironment());
    }

    /** The execd at {@code baseUrl} (e.g. {@code http://127.0.0.1:44772}), with the connection's key and timeouts. */
    public static ExecdClient connect(String baseUrl, ConnectionConfig connection) {
        URI url = ConnectionConfig.normalizeExecd(baseUrl);
        return new ExecdClient(new HttpTransport(connection, url, Map.of()));
    }

    /** The execd behind an endpoint the lifecycle API returned: its URL in the connection's scheme, its headers. */
    static ExecdClient connect(Endpoint endpoint, ConnectionConfig connection) {
        URI url = ConnectionConfig.normalizeExecd(connection.scheme() + "://" + endpoint.endpoint());
        return new ExecdClient(new HttpTransport(connection, url, endpoint.headers()));
    }

    public URI baseUrl() {
        return transport.base();
    }

    public Commands commands() {
        return commands;
    }

    public Code code() {
        return code;
    }

    public SandboxFiles files() {
        return files;
    }

    /** A snapshot of the sandbox's CPU and memory use. */
    public Metrics metrics() {
        return transport.json("GET", "/metrics", null, Metrics::read);
    }

    /**
     * Streams the sandbox's metrics, about one snapshot a second, to {@code consumer} for as long as it returns
     * {@code true}; then stops the stream and returns. Runs on the calling thread.
     */
    public void watchMetrics(Predicate<Metrics> consumer) {
        HttpTransport.Response response = transport.send(
                "GET", "/metrics/watch", HttpTransport.Body.none(), Map.of("Accept", "text/event-stream"), true);
        try (BodyStream body = response.body()) {
            EventStreamReader reader = new EventStreamReader(body);
            while (true) {
                Optional<Metrics> next = HttpTransport.reading(
                        response, () -> reader.nextPayload().map(payload -> Metrics.read(Json.parse(payload))));
                if (next.isEmpty() || !consumer.test(next.get())) {
                    return;
                }
            }
        }
    }

    /** Succeeds when execd answers {@code /ping}; fails with the reason otherwise. */
    public void ping() {
        HttpTransport.readText(
                transport.send("GET", "/ping", HttpTransport.Body.none(), Map.of(), false),
                HttpTransport.MAX_JSON_BYTES);
    }

    /** Whether execd answers {@code /ping} now. */
    public boolean isHealthy() {
        try {
            ping();
            return true;
        } catch (SandboxApiException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "ExecdClient[" + transport.base() + "]";
    }
}
