package dev.moat.server;

import dev.moat.core.SandboxManager;
import dev.moat.core.SandboxRecord;
import dev.moat.core.spi.ExecdEndpoint;
import dev.moat.http.Exchange;
import dev.moat.http.Route;
import dev.moat.protocol.SandboxState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;

/**
 * {@code ANY /sandboxes/{id}/proxy/{port}/**}: streams the request into the sandbox's execd over its Unix socket and
 * the answer back as it arrives (chunked bodies and event streams flow piece by piece). Port 44772 is execd itself;
 * any other port goes to execd's {@code /proxy/{port}}, i.e. a service the agent started inside. The client's API key
 * is not passed into the sandbox.
 */
final class SandboxProxy implements Route {

    static final int EXECD_PORT = 44772;
    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection",
            "keep-alive",
            "proxy-authenticate",
            "proxy-authorization",
            "proxy-connection",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "host");

    private final SandboxManager manager;
    private final ExecdClients clients;
    private final java.util.function.BiPredicate<String, String> ownCredential;

    SandboxProxy(
            SandboxManager manager,
            ExecdClients clients,
            java.util.function.BiPredicate<String, String> ownCredential) {
        this.manager = manager;
        this.clients = clients;
        this.ownCredential = ownCredential;
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
        Request upstream = clients.request(endpoint, exchange.method(), target(exchange, id, port));
        copyRequestHeaders(exchange, upstream);
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
        relay(exchange, response, listener.getInputStream());
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

    private void copyRequestHeaders(Exchange exchange, Request upstream) {
        upstream.headers(headers -> {
            headers.clear();
            for (HttpField field : exchange.request().getHeaders()) {
                String name = field.getLowerCaseName();
                if (HOP_BY_HOP.contains(name) || ownCredential.test(field.getName(), field.getValue())) {
                    continue;
                }
                headers.add(field);
            }
        });
    }

    private static boolean hasBody(Exchange exchange) {
        var headers = exchange.request().getHeaders();
        return exchange.request().getLength() > 0 || headers.contains(HttpHeader.TRANSFER_ENCODING);
    }

    private static void relay(Exchange exchange, Response response, InputStream body) throws IOException {
        exchange.response().setStatus(response.getStatus());
        for (HttpField field : response.getHeaders()) {
            if (!HOP_BY_HOP.contains(field.getName().toLowerCase(Locale.ROOT))) {
                exchange.response().getHeaders().add(field);
            }
        }
        OutputStream out = exchange.output();
        byte[] buffer = new byte[32 * 1024];
        try (InputStream in = body) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the client or the sandbox went away: drop the other side too
            response.abort(e);
            throw e;
        }
    }
}
