package dev.moat.execd;

import dev.moat.http.Exchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
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
 * A request that asks to switch protocols (WebSocket, or any other {@code Upgrade}), proxied over a plain socket: the
 * request head goes to the service as it came (minus the headers {@link ProxyHeaders} stops), and when the service
 * answers {@code 101} the client gets that answer and both connections become one {@link ByteTunnel}. Any other
 * answer is relayed like a normal response.
 *
 * <p>This uses Jetty's own upgrade mechanism: the connection to install is left in the request attribute
 * {@link HttpStream#UPGRADE_CONNECTION_ATTRIBUTE}, and once the 101 is written Jetty hands the client's end point to it,
 * with any bytes the client already sent past the request head.
 */
final class UpgradeProxy {

    private static final int MAX_HEAD_BYTES = 64 * 1024;

    private final Duration timeout;
    private final Duration connectTimeout;

    UpgradeProxy(Duration timeout, Duration connectTimeout) {
        this.timeout = timeout;
        this.connectTimeout = connectTimeout;
    }

    void handle(Exchange exchange, int port, String target, String protocol) throws IOException {
        Socket upstream = new Socket();
        boolean tunnelled = false;
        try {
            connect(upstream, port);
            upstream.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            sendHead(upstream.getOutputStream(), exchange.request(), target, protocol);
            Answer answer = new Answer(exchange);
            HttpParser parser = new HttpParser(answer, MAX_HEAD_BYTES);
            ByteBuffer buffer = BufferUtil.allocate(MAX_HEAD_BYTES);
            InputStream in = upstream.getInputStream();
            readUntil(parser, buffer, in, answer, port, () -> answer.headComplete);
            if (answer.status == HttpStatus.SWITCHING_PROTOCOLS_101) {
                switchProtocols(exchange, upstream, buffer, answer.headers, protocol);
                tunnelled = true;
            } else {
                answer.relayHead();
                readUntil(parser, buffer, in, answer, port, () -> answer.complete);
            }
        } catch (SocketTimeoutException e) {
            throw ExecdError.GATEWAY_TIMEOUT.exception(
                    "the service on port %d did not answer the upgrade within %d seconds", port, timeout.toSeconds());
        } finally {
            if (!tunnelled) {
                upstream.close();
            }
        }
    }

    private void connect(Socket upstream, int port) throws IOException {
        try {
            upstream.connect(new InetSocketAddress(PortProxy.LOOPBACK, port), (int) connectTimeout.toMillis());
        } catch (ConnectException | SocketTimeoutException e) {
            throw ExecdError.BAD_GATEWAY.exception(
                    "nothing is listening on port %d inside the sandbox (%s); start the service on 127.0.0.1:%d or"
                            + " 0.0.0.0:%d first",
                    port, e.getMessage(), port, port);
        }
    }

    private static void sendHead(OutputStream out, Request request, String target, String protocol) throws IOException {
        HttpFields.Mutable headers = HttpFields.build();
        ProxyHeaders.copyRequest(request.getHeaders(), headers);
        StringBuilder head = new StringBuilder(512)
                .append(request.getMethod())
                .append(' ')
                .append(target)
                .append(" HTTP/1.1\r\n");
        for (HttpField field : headers) {
            head.append(field.getName()).append(": ").append(field.getValue()).append("\r\n");
        }
        head.append("Connection: Upgrade\r\nUpgrade: ").append(protocol).append("\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /**
     * Reads from the service and parses until {@code done}, writing any body to the client as it is parsed; the buffer
     * keeps what was read past that point.
     */
    private static void readUntil(
            HttpParser parser, ByteBuffer buffer, InputStream in, Answer answer, int port, BooleanSupplier done)
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
                throw ExecdError.BAD_GATEWAY.exception(
                        "the service on port %d sent a malformed answer: %s", port, answer.failure);
            }
            if (ended) {
                throw ExecdError.BAD_GATEWAY.exception(
                        "the service on port %d closed the connection before it finished answering", port);
            }
            BufferUtil.compact(buffer);
            int position = BufferUtil.flipToFill(buffer);
            int n = in.read(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
            if (n > 0) {
                buffer.position(buffer.position() + n);
            }
            BufferUtil.flipToFlush(buffer, position);
            if (n < 0) {
                ended = true;
                parser.atEOF();
            }
        }
    }

    private static void switchProtocols(
            Exchange exchange, Socket upstream, ByteBuffer alreadyRead, HttpFields headers, String protocol)
            throws IOException {
        upstream.setSoTimeout(0); // from now on the client connection's idle timeout governs the tunnel
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
