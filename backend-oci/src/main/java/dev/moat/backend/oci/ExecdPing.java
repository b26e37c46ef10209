package dev.moat.backend.oci;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks a sandbox's execd whether it serves: {@code GET /ping} over its Unix socket. The smallest possible HTTP/1.1
 * exchange, so that waiting for a new sandbox needs no HTTP client.
 */
public final class ExecdPing {

    private static final byte[] REQUEST =
            "GET /ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private ExecdPing() {}

    /** Whether execd answered {@code /ping} with 200 within {@code timeout}. */
    public static boolean ping(Path socket, Duration timeout) {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return false;
        }
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                channel.write(ByteBuffer.wrap(REQUEST));
                ByteBuffer buffer = ByteBuffer.allocate(64);
                while (buffer.position() < 12 && channel.read(buffer) >= 0) {
                    // the status line is all we need
                }
                String head = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
                answer.complete(head.startsWith("HTTP/1.1 200"));
            } catch (IOException e) {
                answer.complete(false);
            }
        });
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            try {
                channel.close();
            } catch (IOException e) {
                // closing is best effort: the answer is already decided
            }
        }
    }

    /** Polls until execd answers; false when {@code timeout} passed first. */
    public static boolean await(Path socket, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (ping(socket, Duration.ofSeconds(2))) {
                return true;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
