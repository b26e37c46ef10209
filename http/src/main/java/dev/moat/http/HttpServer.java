package dev.moat.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jetty server that listens on a Unix socket, a TCP address, or both, and runs its handler on virtual threads.
 * Stopping it removes the socket file.
 */
public final class HttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    /** Connections that may wait to be accepted: a burst of clients connecting at once must not be refused. */
    private static final int ACCEPT_QUEUE = 1024;

    private final Server server;
    private final Optional<Path> socket;
    private final Optional<ServerConnector> tcp;

    private HttpServer(Server server, Optional<Path> socket, Optional<ServerConnector> tcp) {
        this.server = server;
        this.socket = socket;
        this.tcp = tcp;
    }

    public static Builder builder(Handler handler) {
        return new Builder(handler);
    }

    /** The TCP port actually bound (useful with port 0), or empty without a TCP listener. */
    public Optional<Integer> tcpPort() {
        return tcp.map(ServerConnector::getLocalPort);
    }

    public Optional<Path> socket() {
        return socket;
    }

    public void join() throws InterruptedException {
        server.join();
    }

    /**
     * Stops listening, gives requests in progress up to two seconds to finish, then cuts off the rest (a client still
     * busy at shutdown is not a failure of the stop).
     */
    @Override
    public void close() throws Exception {
        try {
            server.stop();
        } catch (TimeoutException e) {
            LOG.info("requests still running after the stop timeout were cut off");
        }
        if (socket.isPresent()) {
            Files.deleteIfExists(socket.get());
        }
    }

    /** Where and how to listen. */
    public static final class Builder {
        private final Handler handler;
        private Path socket;
        private InetSocketAddress address;
        private long idleTimeoutMillis = 300_000;
        private String name = "http";
        private boolean encodedSeparators;

        private Builder(Handler handler) {
            this.handler = handler;
        }

        /** Listen on a Unix socket at {@code path}; a stale socket file there is replaced. */
        public Builder unixSocket(Path path) {
            this.socket = path;
            return this;
        }

        public Builder tcp(String host, int port) {
            this.address = new InetSocketAddress(host, port);
            return this;
        }

        public Builder idleTimeoutMillis(long millis) {
            this.idleTimeoutMillis = millis;
            return this;
        }

        /**
         * Accepts paths with an encoded slash ({@code %2F}), an encoded percent sign ({@code %25}) or empty segments,
         * which Jetty refuses by default as ambiguous. For servers that proxy raw paths to other services, where such
         * paths are the service's business; routes still match on the decoded path.
         */
        public Builder allowEncodedSeparators() {
            this.encodedSeparators = true;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public HttpServer start() throws Exception {
            if (socket == null && address == null) {
                throw new IllegalStateException("nothing to listen on: give a Unix socket, a TCP address or both");
            }
            QueuedThreadPool threads = new QueuedThreadPool(200, 2);
            threads.setName(name);
            threads.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name(name + "-", 0).factory()));
            Server server = new Server(threads);
            HttpConfiguration config = new HttpConfiguration();
            config.setSendServerVersion(false);
            config.setSendDateHeader(false);
            config.setOutputBufferSize(16 * 1024);
            if (encodedSeparators) {
                config.setUriCompliance(UriCompliance.DEFAULT.with(
                        "DEFAULT+encoded-separators",
                        UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
                        UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
                        UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT));
            }
            if (socket != null) {
                prepareSocketPath(socket);
                UnixDomainServerConnector uds =
                        new UnixDomainServerConnector(server, 1, 1, new HttpConnectionFactory(config));
                uds.setUnixDomainPath(socket);
                uds.setIdleTimeout(idleTimeoutMillis);
                uds.setAcceptQueueSize(ACCEPT_QUEUE);
                server.addConnector(uds);
            }
            ServerConnector tcp = null;
            if (address != null) {
                tcp = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
                tcp.setHost(address.getHostString());
                tcp.setPort(address.getPort());
                tcp.setIdleTimeout(idleTimeoutMillis);
                tcp.setAcceptQueueSize(ACCEPT_QUEUE);
                server.addConnector(tcp);
            }
            server.setHandler(handler);
            server.setErrorHandler(new JsonErrorHandler());
            server.setStopTimeout(2_000);
            server.start();
            return new HttpServer(server, Optional.ofNullable(socket), Optional.ofNullable(tcp));
        }

        private static void prepareSocketPath(Path path) throws IOException {
            if (path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= 108) {
                throw new IllegalArgumentException(
                        "Unix socket path is longer than the 107 bytes the kernel allows: " + path);
            }
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.deleteIfExists(path);
        }
    }
}
