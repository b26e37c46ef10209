package dev.moat.execd;

import dev.moat.http.ApiException;
import dev.moat.http.Exchange;
import dev.moat.http.ProxyHeaders;
import dev.moat.http.Route;
import dev.moat.http.UpgradeProxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * {@code ANY /proxy/{port}/**}: forwards the request to a service the agent started on {@code 127.0.0.1:{port}} inside
 * the sandbox and streams the answer back as it arrives, so chunked responses and event streams flow event by event.
 * The path after the port (still encoded) and the query go to the service unchanged; the headers too, except the ones
 * {@link ProxyHeaders} stops (and execd's access token). A request that asks for a protocol upgrade (WebSocket) becomes
 * a byte tunnel through {@link UpgradeProxy}.
 *
 * <p>Failures: a port that is not a number from 1 to 65535 is {@code INVALID_PORT} (400); nothing listening is
 * {@code BAD_GATEWAY} (502); a service silent for longer than the timeout ({@code EXECD_PROXY_TIMEOUT} seconds, 300 by
 * default) is {@code GATEWAY_TIMEOUT} (504) before it answered, and a cut connection after. When the client leaves,
 * the connection to the service is closed as soon as execd notices: when the service next sends something, or at the
 * timeout if it stays silent (an HTTP/1.1 server learns that a client closed only by reading or writing, and reading
 * ahead would swallow the client's next request).
 */
final class PortProxy implements Route, AutoCloseable {

    static final String TIMEOUT_VARIABLE = "EXECD_PROXY_TIMEOUT";
    static final String LOOPBACK = "127.0.0.1";
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(300);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final int BUFFER_SIZE = 16 * 1024;

    private final Duration timeout;
    private final UpgradeProxy upgrades;
    private final ReentrantLock clientLock = new ReentrantLock();
    private HttpClient client;

    PortProxy(Duration timeout) {
        this.timeout = timeout;
        this.upgrades = new UpgradeProxy(timeout, PortProxy::isAccessToken);
    }

    private static boolean isAccessToken(HttpField field) {
        return field.getName().equalsIgnoreCase(AccessTokenFilter.HEADER);
    }

    /** A socket to the service for an upgrade; nothing listening is {@code BAD_GATEWAY}. */
    private static SocketChannel connect(int port) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.socket().connect(new InetSocketAddress(LOOPBACK, port), (int) CONNECT_TIMEOUT.toMillis());
            return channel;
        } catch (ConnectException | SocketTimeoutException e) {
            channel.close();
            throw ExecdError.BAD_GATEWAY.exception(
                    "nothing is listening on port %d inside the sandbox (%s); start the service on 127.0.0.1:%d or"
                            + " 0.0.0.0:%d first",
                    port, e.getMessage(), port, port);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A proxy with the timeout of {@value #TIMEOUT_VARIABLE}; a value that is not a positive number is refused. */
    static PortProxy fromEnvironment(Map<String, String> environment) {
        String value = environment.get(TIMEOUT_VARIABLE);
        if (value == null || value.isBlank()) {
            return new PortProxy(DEFAULT_TIMEOUT);
        }
        try {
            long seconds = Long.parseLong(value.trim());
            if (seconds > 0) {
                return new PortProxy(Duration.ofSeconds(seconds));
            }
        } catch (NumberFormatException e) {
            // refused below with the same message
        }
        throw new IllegalArgumentException(
                TIMEOUT_VARIABLE + " must be a whole number of seconds greater than 0, got '" + value + "'");
    }

    @Override
    public void handle(Exchange exchange) throws Exception {
        Target target = Target.of(exchange.request());
        int port = port(target.port());
        var upgrade = ProxyHeaders.upgrade(exchange.request().getHeaders());
        if (upgrade.isPresent() && !hasBody(exchange.request())) {
            upgrades.handle(
                    exchange, connect(port), target.pathAndQuery(), upgrade.get(), "the service on port " + port);
        } else {
            forward(exchange, port, target.pathAndQuery());
        }
    }

    /** The port of the path: decimal digits only, from 1 to 65535. */
    static int port(String text) {
        if (!text.isEmpty() && text.length() <= 5 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        }
        throw ExecdError.INVALID_PORT.exception(
                "'%s' is not a port: use /proxy/{port}/... with the port (1 to 65535) the service listens on inside"
                        + " the sandbox",
                text);
    }

    /**
     * The raw request target split after {@code /proxy/{port}}: the port segment as sent, and the rest of the path
     * (still encoded, {@code /} when there is none) with the raw query, which is what the service is asked for. Both
     * come from the raw path, so that an encoded slash cannot make the two disagree.
     */
    record Target(String port, String pathAndQuery) {
        static Target of(org.eclipse.jetty.server.Request request) {
            String path = request.getHttpURI().getPath();
            int index = skipSegment(path, 0); // "proxy"
            int portStart = index;
            while (portStart < path.length() && path.charAt(portStart) == '/') {
                portStart++;
            }
            index = skipSegment(path, index);
            String rest = index < path.length() ? path.substring(index) : "/";
            String query = request.getHttpURI().getQuery();
            return new Target(path.substring(portStart, index), query == null ? rest : rest + "?" + query);
        }

        /** The index just past the next non-empty segment that starts at or after {@code from}. */
        private static int skipSegment(String path, int from) {
            int index = from;
            while (index < path.length() && path.charAt(index) == '/') {
                index++;
            }
            while (index < path.length() && path.charAt(index) != '/') {
                index++;
            }
            return index;
        }
    }

    private static boolean hasBody(org.eclipse.jetty.server.Request request) {
        return request.getHeaders().contains(HttpHeader.CONTENT_LENGTH)
                || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
    }

    private void forward(Exchange exchange, int port, String target) throws Exception {
        org.eclipse.jetty.server.Request incoming = exchange.request();
        Request outgoing = client().newRequest(LOOPBACK, port)
                .method(incoming.getMethod())
                .path(target)
                .idleTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .headers(headers -> ProxyHeaders.copyRequest(incoming.getHeaders(), headers, PortProxy::isAccessToken));
        if (hasBody(incoming)) {
            outgoing.body(new IncomingBody(incoming));
        }
        InputStreamResponseListener listener = new InputStreamResponseListener();
        outgoing.send(listener);
        // a client that leaves while the service thinks must not leave the service's connection behind
        incoming.addFailureListener(outgoing::abort);
        Response response = awaitHeaders(listener, outgoing, port);
        exchange.response().setStatus(response.getStatus());
        ProxyHeaders.copyResponse(response.getHeaders(), exchange.response().getHeaders());
        try (InputStream body = listener.getInputStream()) {
            copy(body, exchange.output(), !response.getHeaders().contains(HttpHeader.CONTENT_LENGTH), port);
        } catch (IOException | RuntimeException e) {
            outgoing.abort(e);
            throw e;
        }
    }

    private Response awaitHeaders(InputStreamResponseListener listener, Request outgoing, int port)
            throws InterruptedException {
        try {
            // the request's idle timeout fires first; this bound only guards against a listener never completing
            return listener.get(timeout.toMillis() * 2 + CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw failure(e.getCause(), port);
        } catch (TimeoutException e) {
            outgoing.abort(e);
            throw failure(e, port);
        }
    }

    private ApiException failure(Throwable cause, int port) {
        if (cause instanceof ConnectException) {
            return ExecdError.BAD_GATEWAY.exception(
                    "nothing is listening on port %d inside the sandbox (%s); start the service on 127.0.0.1:%d or"
                            + " 0.0.0.0:%d first",
                    port, cause.getMessage(), port, port);
        }
        if (cause instanceof TimeoutException) {
            return ExecdError.GATEWAY_TIMEOUT.exception(
                    "the service on port %d did not answer within %d seconds", port, timeout.toSeconds());
        }
        return ExecdError.BAD_GATEWAY.exception("the service on port %d failed: %s", port, cause);
    }

    /** Copies the body as it arrives; a streamed body (no length) commits the headers before its first byte. */
    private static void copy(InputStream from, OutputStream to, boolean streamed, int port) throws IOException {
        if (streamed) {
            to.flush();
        }
        byte[] buffer = new byte[BUFFER_SIZE];
        while (true) {
            int n;
            try {
                n = from.read(buffer);
            } catch (IOException e) {
                throw ExecdError.BAD_GATEWAY.exception("the service on port %d broke off its answer: %s", port, e);
            }
            if (n < 0) {
                return;
            }
            to.write(buffer, 0, n);
        }
    }

    /** The client, started on the first proxied request so that an execd that proxies nothing carries no threads. */
    private HttpClient client() throws Exception {
        clientLock.lock();
        try {
            if (client == null) {
                HttpClient http = new HttpClient();
                http.setExecutor(new VirtualThreadPool());
                http.setFollowRedirects(false);
                http.setUserAgentField(null);
                http.setHttpCookieStore(new HttpCookieStore.Empty());
                http.getProtocolHandlers().clear();
                http.setConnectTimeout(CONNECT_TIMEOUT.toMillis());
                http.setIdleTimeout(timeout.toMillis());
                http.setMaxConnectionsPerDestination(1024);
                http.start();
                // start() installs the decoders it finds when there are none; without any, the client neither asks
                // for compressed answers the client of execd did not ask for, nor decodes what passes through
                http.getContentDecoderFactories().clear();
                client = http;
            }
            return client;
        } finally {
            clientLock.unlock();
        }
    }

    @Override
    public void close() throws Exception {
        clientLock.lock();
        try {
            if (client != null) {
                client.stop();
            }
        } finally {
            clientLock.unlock();
        }
    }

    /** The incoming request's body, streamed to the service as it arrives, with its declared length if it has one. */
    private record IncomingBody(org.eclipse.jetty.server.Request incoming) implements Request.Content {
        @Override
        public String getContentType() {
            return incoming.getHeaders().get(HttpHeader.CONTENT_TYPE);
        }

        @Override
        public long getLength() {
            return incoming.getLength();
        }

        @Override
        public Content.Chunk read() {
            return incoming.read();
        }

        @Override
        public void demand(Runnable demandCallback) {
            incoming.demand(demandCallback);
        }

        @Override
        public void fail(Throwable failure) {
            incoming.fail(failure);
        }
    }
}
