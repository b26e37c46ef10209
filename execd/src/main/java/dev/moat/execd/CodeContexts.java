package dev.moat.execd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import org.zeromq.ZContext;

/**
 * The code contexts of this execd: one {@link Kernel} each, by id, in the order they were created. Each language also
 * has a default context, created on first use by a run that names only the language (and listed like any other), so
 * that stateless calls share one warm kernel. Kernel start-ups are bounded, and every kernel is shut down on
 * {@link #close}.
 */
final class CodeContexts implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CodeContexts.class.getName());
    private static final int MAX_CONCURRENT_STARTS = 4;

    private final KernelSpecs specs;
    private final AddedEnvironment environment;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Kernel> contexts = new LinkedHashMap<>();
    private final Map<String, String> defaults = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> defaultLocks = new ConcurrentHashMap<>();
    private final Semaphore starts = new Semaphore(MAX_CONCURRENT_STARTS, true);
    private ZContext zmq;
    private Path runtimeDirectory;
    private boolean closed;

    CodeContexts(KernelSpecs specs, AddedEnvironment environment) {
        this.specs = specs;
        this.environment = environment;
    }

    /** The kernelspec for a language or kernel name, if one is installed. */
    Optional<KernelSpec> spec(String language) {
        return specs.resolve(language);
    }

    /** The installed languages, for messages that refuse an unknown one. */
    String availableLanguages() {
        return specs.describeAvailable();
    }

    /** Starts a new kernel of this spec and registers it; blocks until the kernel is ready. */
    Kernel create(KernelSpec spec) throws IOException {
        String id = UUID.randomUUID().toString().replace("-", "");
        try {
            if (!starts.tryAcquire(Kernel.START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IOException("too many kernels are starting at once; try again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting to start a kernel", e);
        }
        Kernel kernel;
        Map<String, String> startedWith = environment.variables();
        try {
            kernel = Kernel.start(id, spec, startedWith, zmq(), runtimeDirectory(), this::forget);
        } finally {
            starts.release();
        }
        boolean registered = false;
        lock.lock();
        try {
            if (!closed && kernel.isAlive()) {
                contexts.put(id, kernel);
                registered = true;
            }
        } finally {
            lock.unlock();
        }
        if (registered) {
            // variables added while the kernel started reached the running kernels, but not this one
            Map<String, String> now = environment.variables();
            if (!now.equals(startedWith)) {
                updateEnvironment(List.of(kernel), now);
            }
            return kernel;
        }
        kernel.shutdown("ExecdShutdown", "execd is shutting down");
        throw new IOException("execd is shutting down; no new kernels are started");
    }

    /** The default context of the spec's language, started now if it has none (or its kernel has ended). */
    Kernel defaultFor(KernelSpec spec) throws IOException {
        String key = spec.language().toLowerCase(Locale.ROOT);
        Optional<Kernel> current = defaultKernel(key);
        if (current.isPresent()) {
            return current.get();
        }
        ReentrantLock languageLock = defaultLocks.computeIfAbsent(key, k -> new ReentrantLock());
        languageLock.lock();
        try {
            current = defaultKernel(key);
            if (current.isPresent()) {
                return current.get();
            }
            Kernel kernel = create(spec);
            defaults.put(key, kernel.id());
            return kernel;
        } finally {
            languageLock.unlock();
        }
    }

    private Optional<Kernel> defaultKernel(String key) {
        String id = defaults.get(key);
        return id == null ? Optional.empty() : get(id);
    }

    /** Starts the default context of a language in the background, so that the first cell finds it warm. */
    void warm(String language) {
        Thread.ofVirtual().name("warm-kernel-" + language).start(() -> {
            Optional<KernelSpec> spec = specs.resolve(language);
            if (spec.isEmpty()) {
                LOG.warning("--warm-kernel " + language + ": no kernel for this language; available: "
                        + specs.describeAvailable());
                return;
            }
            try {
                defaultFor(spec.get());
            } catch (IOException e) {
                LOG.warning("--warm-kernel " + language + ": " + e.getMessage());
            }
        });
    }

    /**
     * Adds variables for every later kernel and sets them in the running ones ({@code os.environ} of python kernels),
     * silently. Returns once every running kernel has them.
     */
    void addEnvironment(Map<String, String> variables) {
        environment.add(variables);
        updateEnvironment(list(Optional.empty()), variables);
    }

    private static void updateEnvironment(List<Kernel> kernels, Map<String, String> variables) {
        List<Thread> threads = new ArrayList<>();
        for (Kernel kernel : kernels) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    if (!kernel.updateEnvironment(variables)) {
                        LOG.warning("context " + kernel.id() + " did not take the added environment variables");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        joinAll(threads);
    }

    Optional<Kernel> get(String id) {
        lock.lock();
        try {
            return Optional.ofNullable(contexts.get(id)).filter(Kernel::isAlive);
        } finally {
            lock.unlock();
        }
    }

    /** Live contexts in creation order, of one language or all. */
    List<Kernel> list(Optional<KernelSpec> language) {
        lock.lock();
        try {
            return contexts.values().stream()
                    .filter(Kernel::isAlive)
                    .filter(kernel -> language.isEmpty()
                            || kernel.language().equalsIgnoreCase(language.get().language()))
                    .toList();
        } finally {
            lock.unlock();
        }
    }

    /** Shuts a context's kernel down; {@code false} when there is no such context. Returns when the process is gone. */
    boolean delete(String id) {
        Optional<Kernel> kernel = get(id);
        kernel.ifPresent(k -> k.shutdown("ContextDeleted", "context " + id + " was deleted"));
        return kernel.isPresent();
    }

    /** Shuts down every context of the spec's language, in parallel. */
    void deleteAll(KernelSpec language) {
        shutdownAll(
                list(Optional.of(language)), "ContextDeleted", "the " + language.language() + " contexts were deleted");
    }

    private void forget(Kernel kernel) {
        lock.lock();
        try {
            contexts.remove(kernel.id(), kernel);
        } finally {
            lock.unlock();
        }
        defaults.values().remove(kernel.id());
    }

    private static void shutdownAll(List<Kernel> kernels, String ename, String message) {
        List<Thread> threads = new ArrayList<>();
        for (Kernel kernel : kernels) {
            threads.add(Thread.ofVirtual().start(() -> kernel.shutdown(ename, message)));
        }
        joinAll(threads);
    }

    private static void joinAll(List<Thread> threads) {
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private ZContext zmq() throws IOException {
        lock.lock();
        try {
            if (closed) {
                throw new IOException("execd is shutting down; no new kernels are started");
            }
            if (zmq == null) {
                zmq = new ZContext(1);
            }
            return zmq;
        } finally {
            lock.unlock();
        }
    }

    /** A private directory (mode 700) for connection files, which hold each kernel's key. */
    private Path runtimeDirectory() throws IOException {
        lock.lock();
        try {
            if (runtimeDirectory == null) {
                runtimeDirectory = Files.createTempDirectory("moat-kernels-");
            }
            return runtimeDirectory;
        } finally {
            lock.unlock();
        }
    }

    /** Shuts every kernel down and waits until their processes are gone. */
    @Override
    public void close() {
        List<Kernel> all;
        lock.lock();
        try {
            closed = true;
            all = List.copyOf(contexts.values());
        } finally {
            lock.unlock();
        }
        shutdownAll(all, "ExecdShutdown", "execd is shutting down");
        lock.lock();
        try {
            if (zmq != null) {
                zmq.close();
            }
            if (runtimeDirectory != null) {
                try (var files = Files.list(runtimeDirectory)) {
                    for (Path file : files.toList()) {
                        Files.deleteIfExists(file);
                    }
                    Files.deleteIfExists(runtimeDirectory);
                } catch (IOException e) {
                    LOG.warning("could not remove " + runtimeDirectory + ": " + e.getMessage());
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
