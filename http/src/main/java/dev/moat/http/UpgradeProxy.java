package dev.moat.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.BufferUtil;

/**
 * A request that asks to switch protocols (WebSocket, or any other {@code Upgrade}), proxied over a socket the caller
 * connected (TCP or Unix domain): the request head goes to the service as it came (minus the headers
 * {@link ProxyHeaders} stops), and when the service answers {@code 101} the client gets that answer and both
 * connections become one {@link ByteTunnel}. Any other answer is relayed like a normal response. A service that sends
 * no {@code 101}, or not all of another answer, within the timeout is {@link HttpError#GATEWAY_TIMEOUT}; a malformed
 * or cut answer is {@link HttpError#BAD_GATEWAY}.
 *
 * <p>This uses Jetty's own upgrade mechanism: the connection to install is left in the request attribute
 * {@link HttpStream#UPGRADE_CONNECTION_ATTRIBUTE}, and once the 101 is written Jetty hands the client's end point to it,
 * with any bytes the client already sent past the request head.
 */
public final class UpgradeProxy {

    private static final int MAX_HEAD_BYTES = 64 * 1024;

    /** Closes sockets of services that do not answer in time; its one thread only ever closes a socket. */
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("upgrade-timeout").daemon().factory());

    private final Duration timeout;
    private final Predicate<HttpField> stoppedHeaders;

    /**
     * @param timeout how long the service may take to send its {@code 101}, or all of another answer
     * @param stoppedHeaders request headers not passed on besides the hop-by-hop ones (the proxy's own credentials)
     */
    public UpgradeProxy(Duration timeout, Predicate<HttpField> stoppedHeaders) {
        this.timeout = timeout;
        this.stoppedHeaders = stoppedHeaders;
    }

    /**
     * Sends the request head for {@code target} (path and query) asking for {@code protocol} to the connected
     * {@code upstream}, and answers the client from what comes back; {@code service} names the service in errors.
     * Takes ownership of {@code upstream}: it is closed here, or by the tunnel.
     */
    public void handle(Exchange exchange, SocketChannel upstream, String target, String protocol, String service)
            throws IOException {
        boolean tunnelled = false;
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> deadline = TIMER.schedule(
                () -> {
                    timedOut.set(true);
                    closeQuietly(upstream);
                },
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            sendHead(upstream, exchange.request(), target, protocol);
            Answer answer = new Answer(exchange);
            HttpParser parser = new HttpParser(answer, MAX_HEAD_BYTES);
            ByteBuffer buffer = BufferUtil.allocate(MAX_HEAD_BYTES);
            readUntil(parser, buffer, upstream, answer, service, () -> answer.headComplete);
            if (answer.status == HttpStatus.SWITCHING_PROTOCOLS_101) {
                if (!deadline.cancel(false)) {
                    throw new IOException("timed out");
                }
                switchProtocols(exchange, upstream, buffer, answer.headers, protocol);
                tunnelled = true;
            } else {
                answer.relayHead();
                readUntil(parser, buffer, upstream, answer, service, () -> answer.complete);
            }
        } catch (IOException e) {
            if (timedOut.get()) {
                throw HttpError.GATEWAY_TIMEOUT.exception(
                        "%s did not answer the upgrade within %d seconds", service, timeout.toSeconds());
            }
            throw e;
        } finally {
            deadline.cancel(false);
            if (!tunnelled) {
                closeQuietly(upstream);
            }
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // released either way
        }
    }

    private void sendHead(SocketChannel out, Request request, String target, String protocol) throws IOException {
        HttpFields.Mutable headers = HttpFields.build();
        ProxyHeaders.copyRequest(request.getHeaders(), headers, stoppedHeaders);
        StringBuilder head = new StringBuilder(512)
                .append(request.getMethod())
                .append(' ')
                .append(target)
                .append(" HTTP/1.1\r\n");
        for (HttpField field : headers) {
            head.append(field.getName()).append(": ").append(field.getValue()).append("\r\n");
        }
        head.append("Connection: Upgrade\r\nUpgrade: ").append(protocol).append("\r\n\r\n");
        ByteBuffer bytes = ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    /**
     * Reads from the service and parses until {@code done}, writing any body to the client as it is parsed; the buffer
     * keeps what was read past that point.
     */
    private static void readUntil(
            HttpParser parser, ByteBuffer buffer, SocketChannel in, Answer answer, String service, BooleanSupplier done)
            throws IOException {
        boolean ended = false;
        while (!done.getAsBoolean()) {
            boolean stopped = parser.parseNext(buffer);
            if (answer.body != null) {
                BufferUtil.writeTo(answer.body, answer.exchange.output());
                answer.body = null;
            }
            if (stopped || done.getAsBoolean()) {
                continue;
            }
            if (answer.failure != null) {
                throw HttpError.BAD_GATEWAY.exception("%s sent a malformed answer: %s", service, answer.failure);
            }
            if (ended) {
                throw HttpError.BAD_GATEWAY.exception("%s closed the connection before it finished answering", service);
            }
            BufferUtil.compact(buffer);
            int position = BufferUtil.flipToFill(buffer);
            int n = in.read(buffer);
            BufferUtil.flipToFlush(buffer, position);
            if (n < 0) {
                ended = true;
                parser.atEOF();
            }
        }
    }

    private static void switchProtocols(
            Exchange exchange, SocketChannel upstream, ByteBuffer alreadyRead, HttpFields headers, String protocol) {
        // from now on the client connection's idle timeout governs the tunnel
        Request request = exchange.request();
        var endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        var executor = request.getConnectionMetaData().getConnector().getExecutor();
        ByteTunnel tunnel = new ByteTunnel(endPoint, executor, upstream, BufferUtil.copy(alreadyRead));
        // if the 101 never reaches the client, Jetty never installs the tunnel: close the service's side here
        request.addHttpStreamWrapper(stream -> new HttpStream.Wrapper(stream) {
            @Override
            public void failed(Throwable failure) {
                tunnel.close();
                super.failed(failure);
            }
        });
        request.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, tunnel);
        exchange.response().setStatus(HttpStatus.SWITCHING_PROTOCOLS_101);
        HttpFields.Mutable answer = exchange.response().getHeaders();
        ProxyHeaders.copyResponse(headers, answer);
        answer.put(HttpHeader.CONNECTION, "Upgrade");
        answer.put(
                HttpHeader.UPGRADE,
                Optional.ofNullable(headers.get(HttpHeader.UPGRADE)).orElse(protocol));
    }

    /** The service's answer as the parser sees it; a body is written to the client as it is parsed. */
    private static final class Answer implements HttpParser.ResponseHandler {
        private final Exchange exchange;
        private final HttpFields.Mutable headers = HttpFields.build();
        private int status;
        private boolean headComplete;
        private boolean complete;
        private String failure;
        private ByteBuffer body;

        Answer(Exchange exchange) {
            this.exchange = exchange;
        }

        void relayHead() {
            exchange.response().setStatus(status);
            ProxyHeaders.copyResponse(headers, exchange.response().getHeaders());
        }

        @Override
        public void startResponse(HttpVersion version, int status, String reason) {
            this.status = status;
        }

        @Override
        public void parsedHeader(HttpField field) {
            headers.add(field);
        }

        @Override
        public boolean headerComplete() {
            headComplete = true;
            return true;
        }

        /** Stops the parser so that the body part is written outside it, where a failing client is not its failure. */
        @Override
        public boolean content(ByteBuffer content) {
            body = content;
            return true;
        }

        @Override
        public boolean contentComplete() {
            return false;
        }

        @Override
        public boolean messageComplete() {
            complete = true;
            return true;
        }

        @Override
        public void earlyEOF() {
            failure = "the connection ended early";
        }

        @Override
        public void badMessage(HttpException failure) {
            this.failure = failure.getReason();
        }
    }
}
