package dev.moat.core;

import dev.moat.core.spi.Backend;
import dev.moat.core.spi.ExecdEndpoint;
import dev.moat.core.spi.ResourceLimits;
import dev.moat.core.spi.SandboxException;
import dev.moat.protocol.SandboxState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out sandboxes and keeps track of them: creates them (from a warm pool when one matches, else cold through its
 * {@link SandboxMaker}), pauses and resumes ({@link PauseResume}), renews and edits ({@link RecordEdits}) and deletes
 * them ({@link Removals}), and — through its {@link Housekeeper} and {@link PoolRefiller}s — expires them, notices
 * when one dies and keeps pools full. Every sandbox it makes holds one place of the {@link Admission} cap until it is
 * gone. This class is the public face of the module; the classes named here do the work.
 */
public final class SandboxManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxManager.class);
    /** How long a warm member's execd may take to answer at hand-out before a fresh sandbox is made instead. */
    private static final Duration HANDOUT_PING = Duration.ofSeconds(2);

    /** How long closing waits for creations under way, beyond the ready timeout they are bound by. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(30);

    private final Backend backend;
    private final StateStore store;
    private final SandboxTypes types;
    private final ManagerSettings settings;
    private final ExecdGateway execd;
    private final ManagerListener listener;
    private final Clock clock;
    private final Admission admission;
    private final Creations creations;
    private final Records records;
    private final WarmPools pools;
    private final Removals removals;
    private final SandboxMaker maker;
    private final PauseResume pauseResume;
    private final RecordEdits edits;
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
        Provisioner provisioner = new Provisioner(backend, execd, settings, creations);
        this.records = new Records(store, clock);
        this.pools = WarmPools.of(types, settings);
        this.removals = new Removals(records, backend, admission, pools);
        this.maker = new SandboxMaker(records, provisioner, admission, removals, settings, listener, clock);
        this.pauseResume = new PauseResume(records, backend);
        this.edits = new RecordEdits(records, clock);
        this.housekeeper = new Housekeeper(removals, store, backend, execd, clock, settings.retention());
        this.refillers = pools.all().stream()
                .map(pool -> new PoolRefiller(pool, maker, admission, settings.refillConcurrency()))
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
        Optional<WarmPool> pool = pools.serving(type, limits, !request.mounts().isEmpty());
        if (pool.isPresent()) {
            Optional<SandboxRecord> handedOut = handOut(pool.get(), request, limits, expiry);
            if (handedOut.isPresent()) {
                return handedOut.get();
            }
        }
        return maker.createCold(request, type, limits, expiry);
    }

    private Optional<SandboxRecord> handOut(
            WarmPool pool, SandboxRequest request, ResourceLimits limits, Optional<Instant> expiry) {
        long started = System.nanoTime();
        Optional<String> member;
        while ((member = pool.take()).isPresent()) {
            String id = member.get();
            Instant now = clock.instant();
            Optional<SandboxRecord> record = records.tryUpdate(
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
                removals.fail(id, "handout_failed", "could not be prepared for its request: " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    public Optional<SandboxRecord> get(String id) {
        return records.get(id);
    }

    /** The record of a sandbox a client may see; {@code NOT_FOUND} otherwise. */
    public SandboxRecord require(String id) {
        return records.require(id);
    }

    /** Every sandbox a client may see (pool members are not), oldest first. */
    public List<SandboxRecord> list() {
        return records.list();
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
        removals.delete(id, "user_delete", "deleted by request");
    }

    public SandboxRecord pause(String id) {
        return pauseResume.pause(id);
    }

    public SandboxRecord resume(String id) {
        return pauseResume.resume(id);
    }

    /** Moves the expiry to {@code expiresAt}, which must be in the future and later than the current one. */
    public SandboxRecord renew(String id, Instant expiresAt) {
        return edits.renew(id, expiresAt);
    }

    /** Applies a JSON merge patch to the metadata: present keys are set, keys mapped to empty are removed. */
    public SandboxRecord patchMetadata(String id, Map<String, Optional<String>> patch) {
        return edits.patchMetadata(id, patch);
    }

    public ManagerStats stats() {
        return new ManagerStats(records.countByState(), pools.stats(), admission.waiting(), admission.capacity());
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
            removals.removeAll();
            new Reconciler(backend, store, settings.owner()).removeOrphans();
        }
    }
}
