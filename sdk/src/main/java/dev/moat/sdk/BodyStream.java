package dev.moat.sdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body read as an {@link InputStream} on the caller's thread, with an idle timeout: a read that waits
 * longer than that for the next bytes fails with an {@link HttpTimeoutException}. Unlike the JDK's own
 * {@code ofInputStream}, a stuck server cannot block a reader forever. One chunk is requested at a time, so a slow
 * reader holds back a fast server instead of buffering without bound. Closing it early cancels the exchange.
 */
final class BodyStream extends InputStream implements HttpResponse.BodySubscriber<BodyStream> {

    private static final Object END = new Object();

    private final BlockingQueue<Object> arrivals = new LinkedBlockingQueue<>();
    private final Duration idleTimeout;
    private final String source;
    private volatile Flow.Subscription subscription;
    private Iterator<ByteBuffer> chunk = List.<ByteBuffer>of().iterator();
    private ByteBuffer current;
    private boolean ended;
    private volatile boolean closed;

    /** {@code source} names the request in timeout messages ({@code GET http://…/ping}). */
    BodyStream(Duration idleTimeout, String source) {
        this.idleTimeout = idleTimeout;
        this.source = source;
    }

    @Override
    public CompletionStage<BodyStream> getBody() {
        return CompletableFuture.completedFuture(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (closed) {
            subscription.cancel();
        } else {
            subscription.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        arrivals.add(buffers);
    }

    @Override
    public void onError(Throwable failure) {
        arrivals.add(failure);
    }

    @Override
    public void onComplete() {
        arrivals.add(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, target.length);
        if (length == 0) {
            return 0;
        }
        if (!advance()) {
            return -1;
        }
        int n = Math.min(length, current.remaining());
        current.get(target, offset, n);
        return n;
    }

    @Override
    public int available() {
        return current == null ? 0 : current.remaining();
    }

    /** Makes {@link #current} hold unread bytes; {@code false} at the end of the body. */
    private boolean advance() throws IOException {
        if (closed) {
            throw new IOException("the response body of " + source + " is closed");
        }
        while (current == null || !current.hasRemaining()) {
            if (chunk.hasNext()) {
                current = chunk.next();
                continue;
            }
            if (ended) {
                return false;
            }
            Object next = take();
            if (next == END) {
                ended = true;
            } else if (next instanceof Throwable) {
                ended = true;
                Throwable failure = (Throwable) next;
                throw failure instanceof IOException
                        ? (IOException) failure
                        : new IOException("reading the answer of " + source + " failed: " + failure, failure);
            } else {
                @SuppressWarnings("unchecked")
                List<ByteBuffer> buffers = (List<ByteBuffer>) next;
                chunk = buffers.iterator();
                subscription.request(1);
            }
        }
        return true;
    }

    private Object take() throws IOException {
        Object next;
        try {
            next = arrivals.poll(idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new InterruptedIOException("interrupted while waiting for the answer of " + source);
        }
        if (next == null) {
            close();
            throw new HttpTimeoutException(source + " sent nothing for " + Durations.describe(idleTimeout));
        }
        return next;
    }

    /** Stops the exchange if the body was not read to its end; later reads fail. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Flow.Subscription s = subscription;
        if (!ended && s != null) {
            s.cancel();
        }
        arrivals.clear();
    }
}
