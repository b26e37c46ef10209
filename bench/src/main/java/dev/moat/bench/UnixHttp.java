package dev.moat.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The smallest HTTP/1.1 client the benchmarks need: one request per connection over a Unix socket
 * ({@code Connection: close}), the response read to its end, so a streamed answer is timed until its last event.
 */
final class UnixHttp {

    /** A response: its status and its body (de-chunked). */
    record Response(int status, String body) {}

    private final Path socket;

    UnixHttp(Path socket) {
        this.socket = socket;
    }

    Response get(String path) throws IOException {
        return exchange("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    }

    Response postJson(String path, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return exchange("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n" + json);
    }

    private Response exchange(String request) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream(1024);
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            ByteBuffer in = ByteBuffer.allocate(8192);
            while (channel.read(in) >= 0) {
                answer.write(in.array(), 0, in.position());
                in.clear();
            }
        }
        return parse(answer.toString(StandardCharsets.UTF_8));
    }

    private static Response parse(String raw) throws IOException {
        int headEnd = raw.indexOf("\r\n\r\n");
        if (!raw.startsWith("HTTP/1.1 ") || headEnd < 0) {
            throw new IOException("not an HTTP/1.1 response: " + raw.substring(0, Math.min(raw.length(), 80)));
        }
        int status = Integer.parseInt(raw.substring(9, 12));
        String head = raw.substring(0, headEnd).toLowerCase(java.util.Locale.ROOT);
        String body = raw.substring(headEnd + 4);
        return new Response(status, head.contains("transfer-encoding: chunked") ? dechunk(body) : body);
    }

    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder(chunked.length());
        int at = 0;
        while (at < chunked.length()) {
            int lineEnd = chunked.indexOf("\r\n", at);
            if (lineEnd < 0) {
                break;
            }
            int size = Integer.parseInt(
                    chunked.substring(at, lineEnd).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
        return body.toString();
    }
}
