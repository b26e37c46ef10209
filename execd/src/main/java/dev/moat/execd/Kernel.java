package dev.moat.execd;

import dev.moat.protocol.ExecEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.zeromq.ZContext;

/**
 * One code context: a running Jupyter kernel, execd's connection to it and the queue of cells waiting for it. Started
 * from a {@link KernelSpec}, ready once it has answered {@code kernel_info_request} on shell and been heard on iopub.
 * It ends when it is shut down, when its process exits, or when it stops answering heartbeats; from then on every cell
 * ends with an error that says which, and the owner's {@code onEnd} forgets it.
 */
final class Kernel implements CellRun.Host {

    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(2);
    static final int MAX_QUEUED_CELLS = 64;
    private static final int START_ATTEMPTS = 3;

    private final String id;
    private final KernelSpec spec;
    private final KernelProcess process;
    private final Path connectionFile;
    private final KernelClient client;
    private final CellQueue queue = new CellQueue(MAX_QUEUED_CELLS);
    private final AtomicReference<ExecEvent.ErrorDetail> ending = new AtomicReference<>();
    private final Consumer<Kernel> onEnd;

    private Kernel(
            String id,
            KernelSpec spec,
            KernelProcess process,
            Path connectionFile,
            ConnectionInfo connection,
            ZContext zmq,
            Consumer<Kernel> onEnd)
            throws IOException {
        this.id = id;
        this.spec = spec;
        this.process = process;
        this.connectionFile = connectionFile;
        this.onEnd = onEnd;
        this.client = KernelClient.connect(zmq, connection, id, this::broken);
    }

    /**
     * Starts a kernel and waits until it is ready. A kernel that loses the race for its ports to another program is
     * started again on new ones.
     *
     * @throws IOException naming the kernel and what its process said when it cannot be started
     */
    static Kernel start(
            String id,
            KernelSpec spec,
            Map<String, String> environment,
            ZContext zmq,
            Path runtimeDirectory,
            Consumer<Kernel> onEnd)
            throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(id, spec, environment, zmq, runtimeDirectory, onEnd);
            } catch (PortTaken e) {
                if (attempt == START_ATTEMPTS) {
                    throw new IOException(e.getMessage(), e);
                }
            }
        }
    }

    private static final class PortTaken extends IOException {
        PortTaken(String message) {
            super(message);
        }
    }

    private static Kernel startOnce(
            String id,
            KernelSpec spec,
            Map<String, String> environment,
            ZContext zmq,
            Path runtimeDirectory,
            Consumer<Kernel> onEnd)
            throws IOException {
        ConnectionInfo connection = ConnectionInfo.allocate();
        Path file = runtimeDirectory.resolve("kernel-" + id + ".json");
        connection.writeTo(file, spec.name());
        KernelProcess process;
        try {
            process = KernelProcess.start(spec, environment, file);
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw new IOException(
                    "could not start the " + spec.language() + " kernel " + spec.describe() + ": " + e.getMessage(), e);
        }
        Kernel kernel;
        try {
            kernel = new Kernel(id, spec, process, file, connection, zmq, onEnd);
        } catch (IOException | RuntimeException e) {
            process.kill();
            Files.deleteIfExists(file);
            throw e;
        }
        try {
            kernel.awaitReady();
        } catch (IOException | RuntimeException e) {
            kernel.ending.set(detail("KernelDied", e.getMessage(), List.of()));
            process.kill();
            kernel.release(e.getMessage());
            throw e;
        }
        process.onExit().thenRun(kernel::exited);
        kernel.client.watchHeartbeat();
        return kernel;
    }

    /** Asks for kernel info until the reply has come on shell and the kernel has been heard on iopub. */
    private void awaitReady() throws IOException {
        BlockingQueue<KernelChannel> heard = new LinkedBlockingQueue<>();
        KernelClient.Listener probe = new KernelClient.Listener() {
            @Override
            public void onMessage(KernelChannel channel, JupyterMessage message) {
                heard.add(channel);
            }

            @Override
            public void onClosed(String reason) {}
        };
        List<String> requests = new ArrayList<>();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        boolean replied = false;
        boolean published = false;
        long lastRequest = 0;
        try {
            while (!(replied && published)) {
                long now = System.nanoTime();
                // iopub drops what is published before our subscription arrives: ask again until we hear it
                if (requests.isEmpty() || (replied && now - lastRequest > TimeUnit.MILLISECONDS.toNanos(200))) {
                    requests.add(client.send(KernelChannel.SHELL, "kernel_info_request", Map.of(), probe));
                    lastRequest = now;
                }
                KernelChannel channel = heard.poll(50, TimeUnit.MILLISECONDS);
                replied |= channel == KernelChannel.SHELL;
                published |= channel == KernelChannel.IOPUB;
                if (channel == null && !process.isAlive()) {
                    String output = process.outputTail();
                    String message = "the " + spec.language() + " kernel " + spec.describe() + " "
                            + process.describeExit() + " before it was ready"
                            + (output.isEmpty() ? "" : "; it said:\n" + output);
                    throw output.contains("Address already in use") ? new PortTaken(message) : new IOException(message);
                }
                if (now > deadline) {
                    throw new IOException("the " + spec.language() + " kernel " + spec.describe()
                            + " did not answer within " + START_TIMEOUT.toSeconds() + " s");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the " + spec.language() + " kernel", e);
        } finally {
            requests.forEach(client::forget);
        }
    }

    String id() {
        return id;
    }

    /** The kernel's language as its kernelspec names it, such as {@code python}. */
    String language() {
        return spec.language();
    }

    KernelSpec spec() {
        return spec;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return ending.get() == null;
    }

    @Override
    public KernelClient client() {
        return client;
    }

    /**
     * Sets variables in the running kernel's {@code os.environ} with a silent cell: no output, no history, no bump of
     * {@code execution_count}. Returns once the kernel has run it; {@code false} when the kernel did not complete it.
     */
    boolean updateEnvironment(Map<String, String> variables) throws InterruptedException {
        if (!spec.language().equalsIgnoreCase("python")) {
            return true; // other kernels see added variables only when started after they were added
        }
        String dictionary;
        try {
            // a JSON object of strings is also a Python dict literal
            dictionary = dev.moat.http.Json.mapper().writeValueAsString(variables);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
        CellRun cell = new CellRun(this, "__import__('os').environ.update(" + dictionary + ")", true);
        if (!queue.offer(cell)) {
            return false;
        }
        return execute(cell, event -> {})
                .filter(event -> event instanceof ExecEvent.Complete)
                .isPresent();
    }

    /** Queues a cell; empty when {@link #MAX_QUEUED_CELLS} are already waiting. */
    Optional<CellRun> enqueue(String code) {
        CellRun cell = new CellRun(this, code);
        return queue.offer(cell) ? Optional.of(cell) : Optional.empty();
    }

    /**
     * Waits for the cell's turn, runs it and returns its terminal event; empty when it was {@linkplain #abandon
     * abandoned} before it started.
     */
    Optional<ExecEvent> execute(CellRun cell, Consumer<ExecEvent> sink) throws InterruptedException {
        if (!queue.awaitTurn(cell)) {
            return Optional.empty();
        }
        try {
            ExecEvent.ErrorDetail ended = ending.get();
            if (ended != null) {
                ExecEvent error = new ExecEvent.Error(ended, System.currentTimeMillis());
                sink.accept(error);
                return Optional.of(error);
            }
            return Optional.of(cell.execute(sink));
        } finally {
            queue.finished(cell);
        }
    }

    /** The client of this cell left: drop it if it waits, interrupt it if it runs. */
    void abandon(CellRun cell) {
        if (!queue.cancel(cell)) {
            cell.interrupt();
        }
    }

    /** Interrupts the cell that is running now, if any. */
    void interrupt() {
        queue.running().ifPresent(CellRun::interrupt);
    }

    @Override
    public void interruptKernel() {
        switch (spec.interruptMode()) {
            case SIGNAL -> process.interrupt();
            case MESSAGE ->
                client.post(KernelChannel.CONTROL, "interrupt_request", Map.of(), JupyterMessage.Header.NONE);
        }
    }

    @Override
    public ExecEvent.ErrorDetail ending(String connectionClosedReason) {
        ExecEvent.ErrorDetail ended = ending.get();
        return ended != null ? ended : detail("KernelDied", connectionClosedReason, List.of());
    }

    /**
     * Shuts the kernel down: {@code shutdown_request}, then SIGKILL to its process group after a grace period. Cells
     * still running or waiting end with an error named {@code ename}. Returns once the process is gone.
     */
    void shutdown(String ename, String message) {
        if (ending.compareAndSet(null, detail(ename, message, List.of())) && process.isAlive()) {
            client.post(
                    KernelChannel.CONTROL, "shutdown_request", Map.of("restart", false), JupyterMessage.Header.NONE);
            process.stop(SHUTDOWN_GRACE);
        } else {
            process.kill();
        }
        release(message);
    }

    private void exited() {
        String output = process.outputTail();
        ending.compareAndSet(
                null,
                detail(
                        "KernelDied",
                        "the " + spec.language() + " kernel of context " + id + " " + process.describeExit()
                                + "; the context is gone, create a new one",
                        output.isEmpty() ? List.of() : List.of(output.split("\n"))));
        // what the kernel started may outlive it in its process group
        process.kill();
        release(ending.get().evalue());
    }

    /** The kernel cannot be reached: kill it, and {@link #exited} releases it. */
    private void broken(String why) {
        ending.compareAndSet(
                null,
                detail(
                        "KernelUnresponsive",
                        "the " + spec.language() + " kernel of context " + id + " could not be reached (" + why
                                + ") and was killed; the context is gone, create a new one",
                        List.of()));
        Thread.ofVirtual().start(process::kill);
    }

    private void release(String reason) {
        client.close(reason);
        try {
            Files.deleteIfExists(connectionFile);
        } catch (IOException e) {
            // a stale file in execd's private runtime directory harms nobody; it goes with the directory
        }
        onEnd.accept(this);
    }

    private static ExecEvent.ErrorDetail detail(String ename, String evalue, List<String> traceback) {
        return new ExecEvent.ErrorDetail(ename, evalue, traceback);
    }
}
