package dev.moat.execd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * execd's end of the five channels of one kernel. One platform thread owns all five ZeroMQ sockets (they are not
 * thread-safe): it sends what other threads queued, receives, verifies and routes every message to the
 * {@link Listener} of the request it answers (its parent message id), and pings the heartbeat channel.
 *
 * <p>Once the heartbeat is {@linkplain #watchHeartbeat started}, a kernel that leaves a ping unanswered for
 * {@link #HEARTBEAT_TIMEOUT} is reported through the {@code onBroken} callback given at connection, as is a failure of
 * the connection itself (after which it is closed).
 */
final class KernelClient implements AutoCloseable {

    /** Receives the messages that belong to one request. Called on the client's thread: it must not block. */
    interface Listener {
        void onMessage(KernelChannel channel, JupyterMessage message);

        /** The connection is gone; no more messages will come. Called at most once. */
        void onClosed(String reason);
    }

    static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(3);
    static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(KernelClient.class.getName());
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);

    private record Outgoing(KernelChannel channel, JupyterMessage message) {}

    private final String name;
    private final String session = UUID.randomUUID().toString();
    private final ConnectionInfo connection;
    private final ZContext zmq;
    private final MessageCodec codec;
    private final Consumer<String> onBroken;
    private final Deque<Outgoing> outgoing = new ConcurrentLinkedDeque<>();
    private final Map<String, Listener> listeners = new ConcurrentHashMap<>();
    private final Pipe wakeup;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Thread thread;
    private volatile String closedReason;
    private volatile boolean heartbeatWatched;

    private KernelClient(String name, ConnectionInfo connection, ZContext zmq, Consumer<String> onBroken)
            throws IOException {
        this.name = name;
        this.connection = connection;
        this.zmq = zmq;
        this.codec = new MessageCodec(connection.key());
        this.onBroken = onBroken;
        this.wakeup = Pipe.open();
        wakeup.source().configureBlocking(false);
        wakeup.sink().configureBlocking(false);
        this.thread =
                Thread.ofPlatform().daemon().name("kernel-" + name + "-io").unstarted(this::run);
    }

    /**
     * Connects to the kernel's ports; the kernel may not be listening yet, messages wait until it is. {@code onBroken}
     * hears, on the client's thread, why the kernel cannot be reached any more.
     */
    static KernelClient connect(ZContext zmq, ConnectionInfo connection, String name, Consumer<String> onBroken)
            throws IOException {
        KernelClient client = new KernelClient(name, connection, zmq, onBroken);
        client.thread.start();
        return client;
    }

    /**
     * Sends a request on {@code channel}. Every message whose parent is this request goes to {@code listener} until
     * {@link #forget}; if the connection is or becomes closed, the listener hears {@link Listener#onClosed}.
     *
     * @return the request's message id
     */
    String send(KernelChannel channel, String msgType, Object content, Listener listener) {
        JupyterMessage message = JupyterMessage.create(session, msgType, content, JupyterMessage.Header.NONE);
        listeners.put(message.id(), listener);
        outgoing.add(new Outgoing(channel, message));
        wake();
        String reason = closedReason;
        if (reason != null && listeners.remove(message.id()) != null) {
            listener.onClosed(reason);
        }
        return message.id();
    }

    /** Sends a message whose answers nobody waits for, such as a reply to the kernel or a shutdown request. */
    void post(KernelChannel channel, String msgType, Object content, JupyterMessage.Header parent) {
        outgoing.add(new Outgoing(channel, JupyterMessage.create(session, msgType, content, parent)));
        wake();
    }

    /** Stops routing messages of this request. */
    void forget(String msgId) {
        listeners.remove(msgId);
    }

    /** Starts pinging the heartbeat channel; called once the kernel has answered, so start-up is not mistaken. */
    void watchHeartbeat() {
        heartbeatWatched = true;
        wake();
    }

    boolean isOpen() {
        return closedReason == null;
    }

    /** Closes the sockets and tells every listener why. */
    void close(String reason) {
        if (closedReason != null) {
            return;
        }
        closedReason = reason;
        wake();
        for (String id : List.copyOf(listeners.keySet())) {
            Listener listener = listeners.remove(id);
            if (listener != null) {
                listener.onClosed(reason);
            }
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        close("the connection to the kernel was closed");
    }

    private void wake() {
        if (wakePending.compareAndSet(false, true)) {
            try {
                wakeup.sink().write(ByteBuffer.wrap(new byte[] {1}));
            } catch (IOException e) {
                // only after close: the loop has ended and needs no waking
                LOG.log(Level.FINE, "wake-up of kernel " + name + " failed", e);
            }
        }
    }

    private void run() {
        Map<KernelChannel, ZMQ.Socket> sockets = new EnumMap<>(KernelChannel.class);
        try (ZMQ.Poller poller = zmq.createPoller(KernelChannel.values().length + 1)) {
            for (KernelChannel channel : KernelChannel.values()) {
                ZMQ.Socket socket = open(channel);
                sockets.put(channel, socket);
                poller.register(socket, ZMQ.Poller.POLLIN);
            }
            int wakeIndex = poller.register(wakeup.source(), ZMQ.Poller.POLLIN);
            Heartbeat heartbeat = new Heartbeat(sockets.get(KernelChannel.HEARTBEAT));
            while (closedReason == null) {
                long timeout = heartbeatWatched ? heartbeat.tick() : -1;
                boolean retry = !outgoing.isEmpty();
                poller.poll(retry ? 10 : timeout);
                if (poller.pollin(wakeIndex)) {
                    drainWakeup();
                }
                sendQueued(sockets);
                for (KernelChannel channel : KernelChannel.values()) {
                    if (poller.pollin(channel.ordinal())) {
                        receiveAll(channel, sockets.get(channel), heartbeat);
                    }
                }
            }
        } catch (RuntimeException | IOException e) {
            LOG.log(Level.WARNING, "connection to kernel " + name + " failed", e);
            close("the connection to the kernel failed: " + e);
            onBroken.accept("its connection failed: " + e);
        } finally {
            sockets.values().forEach(ZMQ.Socket::close);
            try {
                wakeup.source().close();
                wakeup.sink().close();
            } catch (IOException e) {
                LOG.log(Level.FINE, "closing the wake-up pipe of kernel " + name + " failed", e);
            }
        }
    }

    private ZMQ.Socket open(KernelChannel channel) {
        ZMQ.Socket socket = zmq.createSocket(channel.socketType());
        socket.setLinger(0);
        switch (channel) {
            // the kernel routes input requests to the identity that sent the execute request
            case SHELL, STDIN -> socket.setIdentity(session.getBytes(StandardCharsets.US_ASCII));
            case IOPUB -> {
                // unlimited on our side: the kernel's publisher drops what a full subscriber cannot take
                socket.setRcvHWM(0);
                socket.subscribe(new byte[0]);
            }
            case CONTROL, HEARTBEAT -> {}
        }
        socket.connect(connection.endpoint(channel));
        return socket;
    }

    private void drainWakeup() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64);
        while (wakeup.source().read(buffer) > 0) {
            buffer.clear();
        }
        wakePending.set(false);
    }

    private void sendQueued(Map<KernelChannel, ZMQ.Socket> sockets) {
        Outgoing next;
        while ((next = outgoing.poll()) != null) {
            List<byte[]> frames = codec.encode(next.message());
            ZMQ.Socket socket = sockets.get(next.channel());
            if (!socket.send(frames.getFirst(), ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
                // the kernel is not draining its queue yet: keep the order and try again shortly
                outgoing.addFirst(next);
                return;
            }
            for (int i = 1; i < frames.size(); i++) {
                socket.send(frames.get(i), i < frames.size() - 1 ? ZMQ.SNDMORE : 0);
            }
        }
    }

    private void receiveAll(KernelChannel channel, ZMQ.Socket socket, Heartbeat heartbeat) {
        byte[] first;
        while ((first = socket.recv(ZMQ.DONTWAIT)) != null) {
            List<byte[]> frames = new ArrayList<>(8);
            frames.add(first);
            while (socket.hasReceiveMore()) {
                frames.add(socket.recv());
            }
            if (channel == KernelChannel.HEARTBEAT) {
                // a REQ socket takes one reply per request: reading on would fail
                heartbeat.answered();
                return;
            }
            dispatch(channel, frames);
        }
    }

    private void dispatch(KernelChannel channel, List<byte[]> frames) {
        JupyterMessage message;
        try {
            message = codec.decode(frames);
        } catch (MessageCodec.InvalidMessage e) {
            LOG.warning("dropped a message from kernel " + name + " on " + channel + ": " + e.getMessage());
            return;
        }
        Listener listener = listeners.get(message.parentId());
        if (listener != null) {
            listener.onMessage(channel, message);
        }
    }

    /** Pings every {@link #HEARTBEAT_INTERVAL}; one ping at a time, as a REQ socket requires. */
    private final class Heartbeat {
        private final ZMQ.Socket socket;
        private long nextPing = System.nanoTime();
        private long sentAt;
        private boolean awaiting;
        private boolean reported;

        Heartbeat(ZMQ.Socket socket) {
            this.socket = socket;
        }

        /** Sends a ping when one is due and returns how long the loop may sleep, in milliseconds. */
        long tick() {
            long now = System.nanoTime();
            if (awaiting) {
                long silent = now - sentAt;
                if (silent >= HEARTBEAT_TIMEOUT.toNanos()) {
                    if (!reported) {
                        reported = true;
                        onBroken.accept("it did not answer its heartbeat for " + HEARTBEAT_TIMEOUT.toSeconds() + " s");
                    }
                    return HEARTBEAT_INTERVAL.toMillis();
                }
                return Math.max(1, (HEARTBEAT_TIMEOUT.toNanos() - silent) / 1_000_000);
            }
            if (now >= nextPing) {
                socket.send(PING, ZMQ.DONTWAIT);
                awaiting = true;
                sentAt = now;
                return HEARTBEAT_TIMEOUT.toMillis();
            }
            return Math.max(1, (nextPing - now) / 1_000_000);
        }

        void answered() {
            awaiting = false;
            nextPing = System.nanoTime() + HEARTBEAT_INTERVAL.toNanos();
        }
    }
}
