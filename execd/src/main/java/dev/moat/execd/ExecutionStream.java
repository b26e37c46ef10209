package dev.moat.execd;

import dev.moat.http.EventStream;
import dev.moat.http.Exchange;
import dev.moat.protocol.ExecEvent;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The event stream of one execution: {@code init} first, then output lines, then exactly one terminal event, with
 * {@code ping}s while it runs. Lines that arrive after the terminal event are dropped, so it stays last.
 */
final class ExecutionStream implements AutoCloseable {

    static final Duration PING_INTERVAL = Duration.ofSeconds(3);

    private final EventStream events;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean finished;

    private ExecutionStream(EventStream events) {
        this.events = events;
    }

    /** Answers the exchange with an event stream that starts with {@code init} carrying {@code id}. */
    static ExecutionStream open(Exchange exchange, String id) {
        ExecutionStream stream = new ExecutionStream(exchange.eventStream());
        stream.events.send(new ExecEvent.Init(id, System.currentTimeMillis()));
        stream.events.keepAlive(PING_INTERVAL, () -> new ExecEvent.Ping(null, System.currentTimeMillis()));
        return stream;
    }

    void stdout(String line) {
        send(new ExecEvent.Stdout(line, System.currentTimeMillis()));
    }

    void stderr(String line) {
        send(new ExecEvent.Stderr(line, System.currentTimeMillis()));
    }

    /** Runs {@code action} once if the client disconnects before the stream is finished. */
    void onClientGone(Runnable action) {
        events.onClientGone(action);
    }

    /** Sends the terminal event; nothing is sent after it. */
    void finish(ExecEvent terminal) {
        lock.lock();
        try {
            if (!finished) {
                finished = true;
                events.send(terminal);
            }
        } finally {
            lock.unlock();
        }
        events.close();
    }

    private void send(ExecEvent event) {
        lock.lock();
        try {
            if (!finished) {
                events.send(event);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        events.close();
    }
}
