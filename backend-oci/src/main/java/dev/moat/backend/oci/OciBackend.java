package dev.moat.backend.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moat.builder.ImageStore;
import dev.moat.builder.StoredImage;
import dev.moat.core.spi.Backend;
import dev.moat.core.spi.ExecdEndpoint;
import dev.moat.core.spi.ResourceLimits;
import dev.moat.core.spi.ResourceUsage;
import dev.moat.core.spi.SandboxException;
import dev.moat.core.spi.SandboxInfo;
import dev.moat.core.spi.SandboxSpec;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code oci} and {@code gvisor} backends: sandboxes as OCI containers run directly by crun, runc or runsc, with
 * no daemon. Each sandbox is a bundle under {@code $MOAT_HOME/sandboxes/<id>/} (see {@link BundleLayout}); everything
 * this class knows about a sandbox it reads back from there, the runtime's state and the cgroup file system, so a
 * new instance (a restarted server) finds every sandbox an earlier one made.
 *
 * <p>Runtime choice ({@link RuntimeDetector}): crun when it runs a probe container on this host, else runc; runsc for
 * {@code gvisor}. On hosts with cgroup v1 plus a v2 mount that has a controller (this project's build machines) crun
 * 1.8 refuses to start any container, even with {@code --cgroup-manager=disabled}, so runc is chosen there. Making
 * crun work would mean running every crun call in a private mount namespace with the v2 mount hidden; measured on
 * such a host it saved about 8 ms of a create (crun 18 ms vs runc 27 ms for a bare {@code run /bin/true}) while
 * execd's own start-up takes 150-300 ms, so the simpler, natively supported path wins.
 *
 * <p>Every call may block on the runtime and has a time limit; calls for one sandbox are serialised, calls for
 * different sandboxes run in parallel.
 */
public final class OciBackend implements Backend {

    /** The label every sandbox of this backend carries, so that Moat can tell its own containers. */
    public static final String OWNER_LABEL = "dev.moat.managed-by";

    public static final String OWNER = "moat";

    /** Processes a sandbox may have when its spec sets no limit: a fork bomb stops here. */
    static final long DEFAULT_PIDS = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(OciBackend.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private final String name;
    private final String description;
    private final Path sandboxes;
    private final ImageStore images;
    private final OciRuntime runtime;
    private final Cgroups cgroups;
    private final boolean userNamespaces;
    private final UidRanges uidRanges;
    private final UserNamespaces namespaces;
    private final BundleBuilder builder;
    private final ObjectMapper json;
    /** Lock striping: calls for one sandbox are serialised with a bounded number of locks. */
    private final ReentrantLock[] locks =
            Stream.generate(ReentrantLock::new).limit(256).toArray(ReentrantLock[]::new);

    OciBackend(
            String name,
            String description,
            Path moatHome,
            Path bundleRoot,
            OciRuntime runtime,
            Cgroups cgroups,
            boolean userNamespaces,
            UidRanges uidRanges,
            UserNamespaces namespaces,
            BundleBuilder builder,
            ObjectMapper json) {
        this.name = name;
        this.description = description;
        this.sandboxes = bundleRoot.resolve("sandboxes");
        this.images = new ImageStore(moatHome.resolve("images"));
        this.runtime = runtime;
        this.cgroups = cgroups;
        this.userNamespaces = userNamespaces;
        this.uidRanges = uidRanges;
        this.namespaces = namespaces;
        this.builder = builder;
        this.json = json;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public SandboxInfo create(SandboxSpec spec) {
        StoredImage image = images.require(spec.image());
        BundleLayout bundle = bundle(spec.id());
        SpecCheck.check(spec, bundle);
        Map<String, String> labels = new LinkedHashMap<>(spec.labels());
        labels.put(OWNER_LABEL, OWNER);
        ResourceLimits limits = spec.limits().orElse(new ResourceLimits(0, 0, DEFAULT_PIDS));
        return locked(spec.id(), () -> {
            try {
                Files.createDirectories(sandboxes);
                Files.createDirectory(bundle.directory());
            } catch (FileAlreadyExistsException e) {
                throw new SandboxException(SandboxException.Kind.CONFLICT, "sandbox " + spec.id() + " already exists");
            } catch (IOException e) {
                throw failed(spec.id(), "cannot create its bundle directory " + bundle.directory(), e);
            }
            try {
                int slot = userNamespaces ? uidRanges.allocate(bundle.directory()) : -1;
                SandboxRecord record = new SandboxRecord(spec.id(), image.reference(), labels, Instant.now(), slot);
                SandboxRecords.write(bundle, record, json);
                builder.build(spec, image, bundle, record, limits);
                runtime.run(bundle);
                builder.releaseStaging(bundle);
                LOG.debug("created sandbox {} from {} ({})", spec.id(), image.reference(), limits);
                return new SandboxInfo(
                        spec.id(), image.reference(), SandboxInfo.State.RUNNING, labels, record.createdAt());
            } catch (IOException | RuntimeException e) {
                SandboxException failure = e instanceof SandboxException sandbox
                        ? sandbox
                        : failed(spec.id(), "cannot prepare it: " + e.getMessage(), e);
                try {
                    destroy(spec.id());
                } catch (RuntimeException cleanup) {
                    failure.addSuppressed(cleanup);
                }
                throw failure;
            }
        });
    }

    @Override
    public void pause(String id) {
        locked(id, () -> {
            switch (status(id)) {
                case RUNNING, CREATED -> runtime.pause(id);
                case PAUSED -> {}
                case STOPPED -> throw conflict(id, "is stopped and cannot be paused");
            }
            return null;
        });
    }

    @Override
    public void resume(String id) {
        locked(id, () -> {
            switch (status(id)) {
                case PAUSED -> runtime.resume(id);
                case RUNNING, CREATED -> {}
                case STOPPED -> throw conflict(id, "is stopped and cannot be resumed");
            }
            return null;
        });
    }

    @Override
    public void stop(String id) {
        locked(id, () -> {
            OciRuntime.Status status = status(id);
            if (status == OciRuntime.Status.STOPPED) {
                return null;
            }
            if (status == OciRuntime.Status.PAUSED) {
                runtime.resume(id); // frozen processes cannot act on TERM
            }
            runtime.kill(id, "TERM");
            if (!awaitStopped(id, STOP_GRACE)) {
                runtime.kill(id, "KILL");
                if (!awaitStopped(id, KILL_WAIT)) {
                    throw failed(id, "its processes survived SIGKILL for " + KILL_WAIT.toSeconds() + " s", null);
                }
            }
            return null;
        });
    }

    @Override
    public void remove(String id) {
        if (!isValidId(id)) {
            return;
        }
        locked(id, () -> {
            destroy(id);
            return null;
        });
    }

    @Override
    public Optional<SandboxInfo> inspect(String id) {
        if (!isValidId(id) || !Files.isDirectory(bundle(id).directory())) {
            return Optional.empty();
        }
        SandboxRecord record = SandboxRecords.read(bundle(id), json);
        return Optional.of(info(record, runtime.state(id).orElse(OciRuntime.Status.STOPPED)));
    }

    @Override
    public List<SandboxInfo> list(Map<String, String> selector) {
        List<SandboxRecord> records = SandboxRecords.all(sandboxes, json).stream()
                .filter(record -> record.matches(selector))
                .toList();
        if (records.isEmpty()) {
            return List.of();
        }
        Map<String, OciRuntime.Status> states = runtime.list();
        List<SandboxInfo> infos = new ArrayList<>();
        for (SandboxRecord record : records) {
            infos.add(info(record, states.getOrDefault(record.id(), OciRuntime.Status.STOPPED)));
        }
        return infos;
    }

    @Override
    public ResourceUsage usage(String id) {
        requireKnown(id);
        return cgroups.usage(id).orElseThrow(() -> conflict(id, "is not running, so it uses no resources"));
    }

    @Override
    public ExecdEndpoint execdEndpoint(String id) {
        requireKnown(id);
        return new ExecdEndpoint.UnixSocket(bundle(id).socket());
    }

    @Override
    public Set<String> images() {
        Set<String> references = new TreeSet<>();
        images.list().forEach(image -> references.add(image.reference()));
        return references;
    }

    @Override
    public void close() {
        namespaces.close();
    }

    // ---- for tests and the benchmark of this module

    OciRuntime runtime() {
        return runtime;
    }

    Cgroups cgroups() {
        return cgroups;
    }

    boolean userNamespaces() {
        return userNamespaces;
    }

    Path sandboxesDirectory() {
        return sandboxes;
    }

    // ---- internals

    /** Everything of the sandbox goes: its processes, runtime state, cgroups, mounts, uid range and bundle. */
    private void destroy(String id) {
        BundleLayout bundle = bundle(id);
        runtime.delete(id);
        try {
            cgroups.removeLeftovers(id);
            for (Path mount : LinuxMounts.mountsUnder(bundle.directory())) {
                LinuxMounts.unmount(mount);
            }
            Optional<SandboxRecord> record = Files.isRegularFile(bundle.record())
                    ? Optional.of(SandboxRecords.read(bundle, json))
                    : Optional.empty();
            Directories.delete(bundle.directory());
            record.filter(r -> r.uidSlot() >= 0).ifPresent(r -> {
                BundleBuilder.mappings(UidRanges.base(r.uidSlot())).forEach(namespaces::forget);
                uidRanges.release(r.uidSlot(), bundle.directory());
            });
        } catch (IOException e) {
            throw failed(id, "cannot remove everything it used: " + e.getMessage(), e);
        }
    }

    private boolean awaitStopped(String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<ProcessHandle> init = initProcess(id);
        while (System.nanoTime() < deadline) {
            if (init.map(p -> !p.isAlive()).orElse(true)
                    && cgroups.processes(id).isEmpty()) {
                return true;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private Optional<ProcessHandle> initProcess(String id) {
        try {
            long pid = Long.parseLong(Files.readString(bundle(id).pidFile()).strip());
            return ProcessHandle.of(pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private OciRuntime.Status status(String id) {
        requireKnown(id);
        return runtime.state(id).orElse(OciRuntime.Status.STOPPED);
    }

    private void requireKnown(String id) {
        if (!isValidId(id) || !Files.isDirectory(bundle(id).directory())) {
            throw new SandboxException(SandboxException.Kind.NOT_FOUND, "sandbox " + id + " does not exist");
        }
    }

    private SandboxInfo info(SandboxRecord record, OciRuntime.Status status) {
        SandboxInfo.State state = switch (status) {
            case CREATED -> SandboxInfo.State.CREATED;
            case RUNNING -> SandboxInfo.State.RUNNING;
            case PAUSED -> SandboxInfo.State.PAUSED;
            case STOPPED -> SandboxInfo.State.STOPPED;
        };
        return new SandboxInfo(record.id(), record.image(), state, record.labels(), record.createdAt());
    }

    private BundleLayout bundle(String id) {
        return BundleLayout.of(sandboxes, id);
    }

    private static boolean isValidId(String id) {
        return id != null && id.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    }

    private <T> T locked(String id, java.util.function.Supplier<T> action) {
        ReentrantLock lock = locks[Math.floorMod(id.hashCode(), locks.length)];
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    private static SandboxException conflict(String id, String what) {
        return new SandboxException(SandboxException.Kind.CONFLICT, "sandbox " + id + " " + what);
    }

    private static SandboxException failed(String id, String what, Throwable cause) {
        return new SandboxException(SandboxException.Kind.FAILED, "sandbox " + id + ": " + what, cause);
    }
}
