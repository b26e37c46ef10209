package dev.moat.core;

import dev.moat.core.spi.Backend;
import dev.moat.core.spi.ExecdEndpoint;
import dev.moat.core.spi.ResourceLimits;
import dev.moat.core.spi.SandboxException;
import dev.moat.core.spi.SandboxSpec;
import dev.moat.protocol.SandboxState;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out sandboxes and keeps track of them: creates them (from a warm pool when one matches, else cold), pauses,
 * resumes, renews and deletes them, and — through its {@link Housekeeper} and {@link PoolRefiller}s — expires them,
 * notices when one dies and keeps pools full. Every sandbox it makes holds one place of the {@link Admission} cap
 * until it is gone.
 */
public final class SandboxManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxManager.class);
    private static final Set<SandboxState> LIVE = EnumSet.of(
            SandboxState.Pending,
            SandboxState.Running,
            SandboxState.Pausing,
            SandboxState.Paused,
            SandboxState.Resuming);
    /** How long a warm member's execd may take to answer at hand-out before a fresh sandbox is made instead. */
    private static final Duration HANDOUT_PING = Duration.ofSeconds(2);

    /** How long closing waits for creations under way, beyond the ready timeout they are bound by. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(30);

    private static final char[] ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final Backend backend;
    private final StateStore store;
    private final SandboxTypes types;
    private final ManagerSettings settings;
    private final ExecdGateway execd;
    private final ManagerListener listener;
    private final Clock clock;
    private final Admission admission;
    private final Provisioner provisioner;
    private final Creations creations;
    private final Map<String, WarmPool> pools = new LinkedHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Housekeeper housekeeper;
    private final List<PoolRefiller> refillers;
    private volatile boolean closed;

    public SandboxManager(
            Backend backend,
            StateStore store,
            SandboxTypes types,
            ManagerSettings settings,
            ExecdGateway execd,
            ManagerListener listener,
            Clock clock) {
        this.backend = backend;
        this.store = store;
        this.types = types;
        this.settings = settings;
        this.execd = execd;
        this.listener = listener;
        this.clock = clock;
        this.admission = new Admission(settings.maxInstances(), settings.admissionWait(), settings.maxWaiting());
        this.creations = new Creations(settings.maxConcurrentCreates());
        this.provisioner = new Provisioner(backend, execd, settings, creations);
        for (String name : settings.pooledTypes()) {
            SandboxType type = types.get(name)
                    .orElseThrow(() -> new IllegalArgumentException("DEFAULT_SANDBOX_TYPE names '" + name
                            + "', which is not a sandbox type; known: "
                            + types.all().stream().map(SandboxType::name).toList()));
            if (settings.poolSize() > 0) {
                pools.put(name, new WarmPool(type, settings.poolSize()));
            }
        }
        this.housekeeper = new Housekeeper(this, store, backend, execd, clock, settings.retention());
        this.refillers = pools.values().stream()
                .map(pool -> new PoolRefiller(pool, this, settings.refillConcurrency()))
                .toList();
    }

    /** Removes sandboxes the backend has but no record knows, then starts pools and housekeeping. */
    public void start() {
        new Reconciler(backend, store, settings.owner()).removeOrphans();
        refillers.forEach(PoolRefiller::start);
        housekeeper.start();
    }

    // ---- requests ------------------------------------------------------------------------------------------------

    /**
     * Creates a sandbox. A request whose image stands for a pooled type, with that type's limits and no extra mounts,
     * is served from the pool at once (state Running); otherwise it waits for admission and is created in the
     * background (state Pending, then Running or Failed).
     */
    public SandboxRecord create(SandboxRequest request) {
        ensureOpen();
        Optional<SandboxType> type = types.resolve(request.image());
        ResourceLimits limits =
                request.limits().orElse(type.map(SandboxType::limits).orElse(ResourceLimits.UNLIMITED));
        Optional<Instant> expiry =
                request.timeout().map(timeout -> clock.instant().plus(timeout));
        Optional<WarmPool> pool = type.map(t -> pools.get(t.name()))
                .filter(p ->
                        request.mounts().isEmpty() && limits.equals(p.type().limits()));
        if (pool.isPresent()) {
            Optional<SandboxRecord> handedOut = handOut(pool.get(), request, limits, expiry);
            if (handedOut.isPresent()) {
                return handedOut.get();
            }
        }
        return createCold(request, type, limits, expiry);
    }

    private Optional<SandboxRecord> handOut(
            WarmPool pool, SandboxRequest request, ResourceLimits limits, Optional<Instant> expiry) {
        long started = System.nanoTime();
        Optional<String> member;
        while ((member = pool.take()).isPresent()) {
            String id = member.get();
            Instant now = clock.instant();
            Optional<SandboxRecord> record = store.update(
                    id,
                    r -> r.state() == SandboxState.Running && r.pooled()
                            ? r.handedOut(
                                    request.image(), request.entrypoint(), request.metadata(), limits, expiry, now)
                            : r);
            if (record.isEmpty() || record.get().pooled()) {
                continue; // died while waiting; the housekeeper cleans it up
            }
            try {
                ExecdEndpoint endpoint = backend.execdEndpoint(id);
                // a call that applies the request to execd also proves it answers; only a bare hand-out pings
                if (request.env().isEmpty() && request.entrypoint().isEmpty() && !execd.ping(endpoint, HANDOUT_PING)) {
                    throw new SandboxException(SandboxException.Kind.FAILED, "its execd does not answer");
                }
                if (!request.env().isEmpty()) {
                    execd.applyEnvironment(endpoint, request.env());
                }
                if (!request.entrypoint().isEmpty()) {
                    execd.startEntrypoint(endpoint, request.entrypoint());
                }
                listener.sandboxReady(Duration.ofNanos(System.nanoTime() - started), true);
                return record;
            } catch (RuntimeException e) {
                LOG.warn("pool member {} could not be handed out, removing it: {}", id, e.getMessage());
                fail(id, "handout_failed", "could not be prepared for its request: " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    private SandboxRecord createCold(
            SandboxRequest request, Optional<SandboxType> type, ResourceLimits limits, Optional<Instant> expiry) {
        admission.acquire();
        Instant now = clock.instant();
        String id = newId();
        SandboxRecord record = new SandboxRecord(
                id,
                type.map(SandboxType::name),
                request.image(),
                request.entrypoint(),
                request.metadata(),
                limits,
                SandboxState.Pending,
                "provisioning",
                "the sandbox is being created",
                now,
                now,
                expiry,
                false);
        store.insert(record);
        Map<String, String> env = new LinkedHashMap<>(type.map(SandboxType::env).orElse(Map.of()));
        env.putAll(request.env());
        SandboxSpec spec = new SandboxSpec(
                id,
                type.map(SandboxType::image).orElse(request.image()),
                env,
                request.entrypoint(),
                limits,
                provisioner.mountsFor(id, request.mounts()),
                SandboxSpec.NetworkMode.LOOPBACK,
                labels(type));
        Thread.ofVirtual().name("provision-" + id).start(() -> provisionCold(spec));
        return record;
    }

    private void provisionCold(SandboxSpec spec) {
        long started = System.nanoTime();
        try {
            provisioner.provision(spec, false);
        } catch (RuntimeException e) {
            LOG.warn("sandbox {} could not be created: {}", spec.id(), e.getMessage());
            listener.sandboxFailed(e.getMessage());
            transition(
                    spec.id(),
                    EnumSet.of(SandboxState.Pending, SandboxState.Stopping),
                    SandboxState.Failed,
                    "provision_failed",
                    e.getMessage());
            admission.release();
            pokePools();
            return;
        }
        boolean running = transition(
                        spec.id(), EnumSet.of(SandboxState.Pending), SandboxState.Running, "ready", "execd answers")
                .isPresent();
        if (running) {
            listener.sandboxReady(Duration.ofNanos(System.nanoTime() - started), false);
        } else {
            // deleted while it was being made: finish the deletion
            removeFromBackend(spec.id(), "user_delete", "deleted while it was being created");
        }
    }

    /** Makes one pool member; called by the pool's refiller, which already holds an admission place for it. */
    void makePoolMember(WarmPool pool) {
        SandboxType type = pool.type();
        Instant now = clock.instant();
        String id = newId();
        store.insert(new SandboxRecord(
                id,
                Optional.of(type.name()),
                type.image(),
                List.of(),
                Map.of(),
                type.limits(),
                SandboxState.Pending,
                "pool_refill",
                "warming up for the pool",
                now,
                now,
                Optional.empty(),
                true));
        SandboxSpec spec = new SandboxSpec(
                id,
                type.image(),
                type.env(),
                List.of(),
                type.limits(),
                provisioner.mountsFor(id, List.of()),
                SandboxSpec.NetworkMode.LOOPBACK,
                labels(Optional.of(type)));
        try {
            provisioner.provision(spec, true);
        } catch (RuntimeException e) {
            transition(id, LIVE, SandboxState.Failed, "pool_refill_failed", e.getMessage());
            admission.release();
            pool.doneMaking(Optional.empty());
            throw e;
        }
        transition(id, EnumSet.of(SandboxState.Pending), SandboxState.Running, "ready", "warm and waiting");
        pool.doneMaking(Optional.of(id));
    }

    public Optional<SandboxRecord> get(String id) {
        return store.get(id).filter(record -> !record.pooled());
    }

    /** The record of a sandbox a client may see; {@code NOT_FOUND} otherwise. */
    public SandboxRecord require(String id) {
        return get(id).orElseThrow(() ->
                new SandboxException(SandboxException.Kind.NOT_FOUND, "sandbox '" + id + "' does not exist"));
    }

    /** Every sandbox a client may see (pool members are not), oldest first. */
    public List<SandboxRecord> list() {
        return store.all().stream()
                .filter(record -> !record.pooled())
                .sorted(java.util.Comparator.comparing(SandboxRecord::createdAt).thenComparing(SandboxRecord::id))
                .toList();
    }

    /** Where execd of a running sandbox is reached; {@code CONFLICT} when it is not running. */
    public ExecdEndpoint endpoint(String id) {
        SandboxRecord record = require(id);
        if (record.state() != SandboxState.Running) {
            throw new SandboxException(
                    SandboxException.Kind.CONFLICT,
                    "sandbox '" + id + "' is " + record.state() + ", not Running"
                            + (record.state() == SandboxState.Paused ? "; resume it first" : ""));
        }
        return backend.execdEndpoint(id);
    }

    /** Deletes a sandbox: its processes and host state go, its record turns Terminated. Deleting twice is fine. */
    public void delete(String id) {
        require(id);
        delete(id, "user_delete", "deleted by request");
    }

    void delete(String id, String reason, String message) {
        SandboxRecord record = store.get(id)
                .orElseThrow(() ->
                        new SandboxException(SandboxException.Kind.NOT_FOUND, "sandbox '" + id + "' does not exist"));
        if (record.state() == SandboxState.Pending) {
            // the provisioning thread sees Stopping and finishes the deletion
            transition(id, EnumSet.of(SandboxState.Pending), SandboxState.Stopping, reason, message);
            return;
        }
        if (transition(
                        id,
                        EnumSet.of(
                                SandboxState.Running, SandboxState.Paused, SandboxState.Pausing, SandboxState.Resuming),
                        SandboxState.Stopping,
                        reason,
                        message)
                .isPresent()) {
            removeFromBackend(id, reason, message);
        }
    }

    private void removeFromBackend(String id, String reason, String message) {
        try {
            backend.remove(id);
            transition(id, EnumSet.of(SandboxState.Stopping), SandboxState.Terminated, reason, message);
        } catch (RuntimeException e) {
            LOG.error("sandbox {} could not be removed: {}", id, e.getMessage());
            transition(id, EnumSet.of(SandboxState.Stopping), SandboxState.Failed, "remove_failed", e.getMessage());
        } finally {
            admission.release();
            pokePools();
        }
    }

    /** Marks a live sandbox Failed and removes what is left of it; {@code false} when it was no longer live. */
    boolean fail(String id, String reason, String message) {
        if (transition(id, LIVE, SandboxState.Failed, reason, message).isEmpty()) {
            return false; // already ending, e.g. deleted while it was checked
        }
        pools.values().forEach(pool -> pool.discard(id));
        try {
            backend.remove(id);
        } catch (RuntimeException e) {
            LOG.error("failed sandbox {} could not be removed: {}", id, e.getMessage());
        } finally {
            admission.release();
            pokePools();
        }
        return true;
    }

    public SandboxRecord pause(String id) {
        return pauseOrResume(id, SandboxState.Running, SandboxState.Pausing, SandboxState.Paused, backend::pause);
    }

    public SandboxRecord resume(String id) {
        return pauseOrResume(id, SandboxState.Paused, SandboxState.Resuming, SandboxState.Running, backend::resume);
    }

    private SandboxRecord pauseOrResume(
            String id,
            SandboxState from,
            SandboxState during,
            SandboxState to,
            java.util.function.Consumer<String> action) {
        SandboxRecord record = require(id);
        if (record.state() == to) {
            return record;
        }
        if (transition(id, EnumSet.of(from), during, during.name().toLowerCase(java.util.Locale.ROOT), "")
                .isEmpty()) {
            throw new SandboxException(
                    SandboxException.Kind.CONFLICT,
                    "sandbox '" + id + "' is " + require(id).state() + "; only a " + from + " sandbox can become "
                            + to);
        }
        try {
            action.accept(id);
        } catch (RuntimeException e) {
            transition(id, EnumSet.of(during), from, "transition_failed", e.getMessage());
            throw e;
        }
        return transition(id, EnumSet.of(during), to, to.name().toLowerCase(java.util.Locale.ROOT), "")
                .orElseGet(() -> require(id));
    }

    /** Moves the expiry to {@code expiresAt}, which must be in the future and later than the current one. */
    public SandboxRecord renew(String id, Instant expiresAt) {
        SandboxRecord record = require(id);
        if (!record.isLive()) {
            throw new SandboxException(
                    SandboxException.Kind.CONFLICT,
                    "sandbox '" + id + "' is " + record.state() + "; it cannot be renewed");
        }
        if (!expiresAt.isAfter(clock.instant())) {
            throw new SandboxException(
                    SandboxException.Kind.INVALID_SPEC, "expiresAt " + expiresAt + " is not in the future");
        }
        if (record.expiresAt().isPresent()
                && !expiresAt.isAfter(record.expiresAt().get())) {
            throw new SandboxException(
                    SandboxException.Kind.INVALID_SPEC,
                    "expiresAt " + expiresAt + " is not later than the current expiry "
                            + record.expiresAt().get());
        }
        return update(id, r -> r.withExpiresAt(Optional.of(expiresAt)));
    }

    /** Applies a JSON merge patch to the metadata: present keys are set, keys mapped to empty are removed. */
    public SandboxRecord patchMetadata(String id, Map<String, Optional<String>> patch) {
        require(id);
        return update(id, r -> {
            Map<String, String> metadata = new LinkedHashMap<>(r.metadata());
            patch.forEach((key, value) -> value.ifPresentOrElse(v -> metadata.put(key, v), () -> metadata.remove(key)));
            return r.withMetadata(metadata);
        });
    }

    public ManagerStats stats() {
        Map<SandboxState, Integer> byState = new java.util.EnumMap<>(SandboxState.class);
        for (SandboxRecord record : store.all()) {
            byState.merge(record.state(), 1, Integer::sum);
        }
        Map<String, ManagerStats.Pool> poolStats = new LinkedHashMap<>();
        pools.forEach((name, pool) ->
                poolStats.put(name, new ManagerStats.Pool(pool.target(), pool.readyCount(), pool.makingCount())));
        return new ManagerStats(byState, poolStats, admission.waiting(), admission.capacity());
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    boolean tryAdmit() {
        return admission.tryAcquire();
    }

    boolean isClosed() {
        return closed;
    }

    private void pokePools() {
        pools.values().forEach(WarmPool::poke);
    }

    private SandboxRecord update(String id, UnaryOperator<SandboxRecord> change) {
        return store.update(id, change)
                .orElseThrow(() ->
                        new SandboxException(SandboxException.Kind.NOT_FOUND, "sandbox '" + id + "' does not exist"));
    }

    /**
     * Moves the record from one of {@code from} to {@code to}; returns the new record when this call made the move,
     * empty when the record was in another state (or gone).
     */
    Optional<SandboxRecord> transition(
            String id, Set<SandboxState> from, SandboxState to, String reason, String message) {
        AtomicReference<SandboxRecord> before = new AtomicReference<>();
        Instant now = clock.instant();
        Optional<SandboxRecord> after = store.update(id, record -> {
            before.set(record);
            return from.contains(record.state()) ? record.transition(to, reason, message, now) : record;
        });
        return after.filter(record -> from.contains(before.get().state()));
    }

    private Map<String, String> labels(Optional<SandboxType> type) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(ManagerSettings.OWNER_LABEL, settings.owner());
        type.ifPresent(t -> labels.put(ManagerSettings.TYPE_LABEL, t.name()));
        return labels;
    }

    private String newId() {
        StringBuilder id = new StringBuilder(settings.idPrefix());
        for (int i = 0; i < 12; i++) {
            id.append(ID_ALPHABET[random.nextInt(ID_ALPHABET.length)]);
        }
        return id.toString();
    }

    private void ensureOpen() {
        if (closed) {
            throw new SandboxException(SandboxException.Kind.UNAVAILABLE, "the server is shutting down");
        }
    }

    /**
     * Stops pools and housekeeping and waits for creations under way; then, with {@code AUTO_CLEANUP}, removes every
     * sandbox.
     */
    @Override
    public void close() {
        closed = true;
        refillers.forEach(PoolRefiller::stop);
        housekeeper.stop();
        if (!creations.close(settings.readyTimeout().plus(CLOSE_GRACE))) {
            LOG.warn("{} sandbox creations did not end in time; stopping anyway", creations.underWay());
        }
        if (settings.autoCleanup()) {
            for (SandboxRecord record : store.all()) {
                if (record.isLive()) {
                    try {
                        backend.remove(record.id());
                        transition(
                                record.id(),
                                LIVE,
                                SandboxState.Terminated,
                                "server_shutdown",
                                "removed when the server stopped");
                    } catch (RuntimeException e) {
                        LOG.error("sandbox {} could not be removed at shutdown: {}", record.id(), e.getMessage());
                    }
                }
            }
            new Reconciler(backend, store, settings.owner()).removeOrphans();
        }
    }
}
