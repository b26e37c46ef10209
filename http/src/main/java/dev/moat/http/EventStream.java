package dev.moat.http;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Request;

/**
 * A streamed answer of one compact JSON line per event, each followed by a blank line and sent at once. Safe to use
 * from several threads. When the client goes away, {@link #send} returns {@code false} and the registered
 * {@link #onClientGone} actions run once.
 */
public final class EventStream implements AutoCloseable {

    private static final byte[] SEPARATOR = {'\n', '\n'};
    private static final ScheduledExecutorService KEEP_ALIVE = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("event-stream-keepalive").factory());

    private final OutputStream out;
    private final ReentrantLock lock = new ReentrantLock();
    private final java.util.List<Runnable> goneActions = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean open = true;
    private ScheduledFuture<?> keepAlive;

    EventStream(OutputStream out, Request request) {
        this.out = out;
        request.addFailureListener(failure -> clientGone());
    }

    /** Writes one event; {@code false} when the client is gone and nothing can be written any more. */
    public boolean send(Object event) {
        byte[] line;
        try {
            line = Json.mapper().writeValueAsBytes(event);
        } catch (IOException e) {
            throw new IllegalArgumentException("event cannot be written as JSON: " + event, e);
        }
        lock.lock();
        try {
            if (!open) {
                return false;
            }
            out.write(line);
            out.write(SEPARATOR);
            out.flush();
            return true;
        } catch (IOException e) {
            clientGone();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Sends the supplied event every {@code interval} until the stream closes, so idle connections stay up. */
    public void keepAlive(Duration interval, Supplier<?> ping) {
        keepAlive = KEEP_ALIVE.scheduleAtFixedRate(
                () -> Thread.ofVirtual().start(() -> send(ping.get())),
                interval.toMillis(),
                interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Runs {@code action} once if the client disconnects before the stream is closed. */
    public void onClientGone(Runnable action) {
        goneActions.add(action);
        if (!open) {
            action.run();
        }
    }

    public boolean isOpen() {
        return open;
    }

    private void clientGone() {
        if (!open) {
            return;
        }
        open = false;
        cancelKeepAlive();
        goneActions.forEach(Runnable::run);
    }

    private void cancelKeepAlive() {
        if (keepAlive != null) {
            keepAlive.cancel(false);
        }
    }

    /** Ends the stream normally; later sends are dropped. */
    @Override
    public void close() {
        lock.lock();
        try {
            cancelKeepAlive();
            goneActions.clear();
            open = false;
        } finally {
            lock.unlock();
        }
    }
}
