package dev.moat.server;

import dev.moat.core.spi.ExecdEndpoint;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The one HTTP client the server talks to every execd with, over each sandbox's Unix socket (or TCP for pods).
 * Transparent: no redirects followed, no content decoded, no User-Agent added, so that the proxy passes bytes through.
 */
final class ExecdClients implements AutoCloseable {

    private final HttpClient http;

    ExecdClients() throws Exception {
        http = new HttpClient();
        QueuedThreadPool threads = new QueuedThreadPool(200, 4);
        threads.setName("execd-client");
        http.setExecutor(threads);
        http.setFollowRedirects(false);
        http.setUserAgentField(null);
        http.setMaxConnectionsPerDestination(1024);
        http.setMaxRequestsQueuedPerDestination(4096);
        http.setIdleTimeout(TimeUnit.MINUTES.toMillis(10));
        http.setConnectTimeout(TimeUnit.SECONDS.toMillis(10));
        http.getContentDecoderFactories().clear();
        http.start();
    }

    /** A request to {@code pathAndQuery} (already encoded) on the execd at {@code endpoint}. */
    Request request(ExecdEndpoint endpoint, String method, String pathAndQuery) {
        return switch (endpoint) {
            case ExecdEndpoint.UnixSocket socket ->
                http.newRequest(URI.create("http://localhost" + pathAndQuery))
                        .transport(new Transport.TCPUnix(socket.path()))
                        .method(method);
            case ExecdEndpoint.Tcp tcp ->
                http.newRequest(URI.create("http://" + tcp.host() + ":" + tcp.port() + pathAndQuery))
                        .method(method);
        };
    }

    @Override
    public void close() throws Exception {
        http.stop();
    }
}
