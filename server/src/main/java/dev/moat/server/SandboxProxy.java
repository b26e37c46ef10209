package dev.moat.server;

import dev.moat.core.SandboxManager;
import dev.moat.core.SandboxRecord;
import dev.moat.core.spi.ExecdEndpoint;
import dev.moat.http.Exchange;
import dev.moat.http.ProxyHeaders;
import dev.moat.http.Route;
import dev.moat.http.UpgradeProxy;
import dev.moat.protocol.SandboxState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.EofException;

/**
 * {@code ANY /sandboxes/{id}/proxy/{port}/**}: streams the request into the sandbox's execd over its Unix socket and
 * the answer back as it arrives (chunked bodies and event streams flow piece by piece). Port 44772 is execd itself;
 * any other port goes to execd's {@code /proxy/{port}}, i.e. a service the agent started inside. A request that asks
 * to switch protocols (WebSocket) becomes a byte tunnel through {@link UpgradeProxy} (execd tunnels it on to the
 * service). The client's API key is not passed into the sandbox. A sandbox that cannot be reached, or breaks off
 * before it answered, is 502 {@code BAD_GATEWAY}.
 */
final class SandboxProxy implements Route {

    static final int EXECD_PORT = 44772;
    private static final Duration UPGRADE_TIMEOUT = Duration.ofSeconds(60);

    private final SandboxManager manager;
    private final ExecdClients clients;
    private final java.util.function.BiPredicate<String, String> ownCredential;
    private final UpgradeProxy upgrades;

    SandboxProxy(
            SandboxManager manager,
            ExecdClients clients,
            java.util.function.BiPredicate<String, String> ownCredential) {
        this.manager = manager;
        this.clients = clients;
        this.ownCredential = ownCredential;
        this.upgrades = new UpgradeProxy(UPGRADE_TIMEOUT, this::stopped);
    }

    /** Request headers that stay here besides the hop-by-hop ones: the client's API key. */
    private boolean stopped(HttpField field) {
        return ownCredential.test(field.getName(), field.getValue());
    }

    /** The path clients use for a sandbox's port. */
    static String path(String id, int port) {
        return "/sandboxes/" + id + "/proxy/" + port;
    }

    @Override
    public void handle(Exchange exchange) throws Exception {
        String id = exchange.pathParameter("id");
        int port = LifecycleRoutes.port(exchange.pathParameter("port"));
        SandboxRecord record = manager.require(id);
        if (record.state() == SandboxState.Pending) {
            throw ServerError.SANDBOX_NOT_READY
                    .exception("sandbox '%s' is still being created; retry shortly", id)
                    .withHeader("Retry-After", "1");
        }
        ExecdEndpoint endpoint = manager.endpoint(id);
        String target = target(exchange, id, port);
        Optional<String> upgrade = ProxyHeaders.upgrade(exchange.request().getHeaders());
        if (upgrade.isPresent() && !hasBody(exchange)) {
            upgrades.handle(exchange, connect(endpoint, id), target, upgrade.get(), "sandbox '" + id + "'");
            return;
        }
        Request upstream = clients.request(endpoint, exchange.method(), target);
        upstream.headers(headers -> {
            headers.clear();
            ProxyHeaders.copyRequest(exchange.request().getHeaders(), headers, this::stopped);
        });
        if (hasBody(exchange)) {
            upstream.body(new ForwardedContent(exchange.request()));
        }
        InputStreamResponseListener listener = new InputStreamResponseListener();
        upstream.send(listener);
        Response response;
        try {
            response = listener.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            upstream.abort(e);
            throw ServerError.BAD_GATEWAY.exception("sandbox '%s' did not answer on port %d within 60 s", id, port);
        } catch (ExecutionException e) {
            throw ServerError.BAD_GATEWAY.exception(
                    "sandbox '%s' could not be reached on port %d: %s",
                    id, port, e.getCause().getMessage());
        }
        relay(exchange, id, response, listener.getInputStream());
    }

    /** A socket to the sandbox's execd, for a tunnel. */
    private static SocketChannel connect(ExecdEndpoint endpoint, String id) {
        SocketAddress address = switch (endpoint) {
            case ExecdEndpoint.UnixSocket socket -> UnixDomainSocketAddress.of(socket.path());
            case ExecdEndpoint.Tcp tcp -> new InetSocketAddress(tcp.host(), tcp.port());
        };
        try {
            return SocketChannel.open(address);
        } catch (IOException e) {
            throw ServerError.BAD_GATEWAY.exception("sandbox '%s' could not be reached: %s", id, e.getMessage());
        }
    }

    /** The execd path: the raw (still encoded) rest of the path after the port, and the query. */
    private static String target(Exchange exchange, String id, int port) {
        String raw = exchange.request().getHttpURI().getPath();
        String marker = "/proxy/" + exchange.pathParameter("port");
        int at = raw.indexOf(marker, raw.indexOf(id));
        String rest = at < 0 ? "/" : raw.substring(at + marker.length());
        if (rest.isEmpty()) {
            rest = "/";
        }
        String query = exchange.rawQuery();
        String path = port == EXECD_PORT ? rest : "/proxy/" + port + rest;
        return query.isEmpty() ? path : path + "?" + query;
    }

    private static boolean hasBody(Exchange exchange) {
        var headers = exchange.request().getHeaders();
        return exchange.request().getLength() > 0 || headers.contains(HttpHeader.TRANSFER_ENCODING);
    }

    private static void relay(Exchange exchange, String id, Response response, InputStream body) throws IOException {
        exchange.response().setStatus(response.getStatus());
        ProxyHeaders.copyResponse(response.getHeaders(), exchange.response().getHeaders());
        byte[] buffer = new byte[32 * 1024];
        try (InputStream in = body) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                // the first write commits the answer: before it, a failure can still be told as a 502
                OutputStream out = exchange.output();
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the client or the sandbox went away: drop the other side too
            response.abort(e);
            if (!exchange.committed() && !(e instanceof EofException)) {
                exchange.response().getHeaders().clear();
                throw ServerError.BAD_GATEWAY.exception("sandbox '%s' broke off its answer: %s", id, e.getMessage());
            }
            throw e;
        }
    }
}
