package dev.moat.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.BufferUtil;

/**
 * The connection a client's end point is upgraded to after a proxied {@code 101}: bytes from the client go to the
 * service's socket (TCP or Unix domain, a blocking {@link SocketChannel}) and bytes from the service go to the client,
 * unchanged, until both sides have finished. An end of input on one side is passed on as an end of output on the
 * other; a failure on either side, or the client connection's idle timeout, closes both.
 *
 * <p>Client to service runs in Jetty's {@link #onFillable()}; service to client runs on a virtual thread that blocks on
 * the socket.
 */
final class ByteTunnel extends AbstractConnection implements Connection.UpgradeTo {

    private static final int BUFFER_SIZE = 16 * 1024;

    private final SocketChannel upstream;
    private final ByteBuffer toClient;
    private ByteBuffer fromClient = BufferUtil.allocate(BUFFER_SIZE);
    private final AtomicInteger openDirections = new AtomicInteger(2);

    /**
     * @param toClient what the service already sent after its 101 head, passed to the client first
     */
    ByteTunnel(EndPoint client, Executor executor, SocketChannel upstream, ByteBuffer toClient) {
        super(client, executor);
        this.upstream = upstream;
        this.toClient = toClient;
    }

    /** Bytes the client sent right after its request head, before the tunnel existed. */
    @Override
    public void onUpgradeTo(ByteBuffer alreadyRead) {
        if (BufferUtil.hasContent(alreadyRead)) {
            fromClient = BufferUtil.allocate(Math.max(BUFFER_SIZE, alreadyRead.remaining()));
            BufferUtil.append(fromClient, alreadyRead);
        }
    }

    @Override
    public void onOpen() {
        super.onOpen();
        Thread.ofVirtual().name("proxy-tunnel").start(this::serviceToClient);
        if (BufferUtil.hasContent(fromClient)) {
            getExecutor().execute(this::onFillable);
        } else {
            fillInterested();
        }
    }

    @Override
    public void onFillable() {
        try {
            while (true) {
                while (BufferUtil.hasContent(fromClient)) {
                    upstream.write(fromClient);
                }
                BufferUtil.clear(fromClient);
                int n = getEndPoint().fill(fromClient);
                if (n == 0) {
                    fillInterested();
                    return;
                }
                if (n < 0) {
                    upstream.shutdownOutput();
                    finishedOneDirection();
                    return;
                }
            }
        } catch (IOException e) {
            getEndPoint().close(e);
        }
    }

    private void serviceToClient() {
        try {
            if (BufferUtil.hasContent(toClient)) {
                writeToClient(toClient);
            }
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
            while (upstream.read(buffer) >= 0) {
                buffer.flip();
                writeToClient(buffer);
                buffer.clear();
            }
            getEndPoint().shutdownOutput();
            finishedOneDirection();
        } catch (IOException e) {
            getEndPoint().close(e);
        }
    }

    private void writeToClient(ByteBuffer bytes) throws IOException {
        try (Blocker.Callback written = Blocker.callback()) {
            getEndPoint().write(written, bytes);
            written.block();
        }
    }

    private void finishedOneDirection() {
        if (openDirections.decrementAndGet() == 0) {
            getEndPoint().close();
        }
    }

    @Override
    public void onClose(Throwable cause) {
        try {
            upstream.close();
        } catch (IOException e) {
            // closing after a failure; the socket is released either way
        }
        super.onClose(cause);
    }

    /** Closes both sides; also for a tunnel that was never opened. */
    @Override
    public void close() {
        try {
            upstream.close();
        } catch (IOException e) {
            // the socket is released either way
        }
        super.close();
    }
}
