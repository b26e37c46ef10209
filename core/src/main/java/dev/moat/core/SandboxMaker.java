package dev.moat.core;

import dev.moat.core.spi.ResourceLimits;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes new sandboxes on the backend: one for a request that no pool serves (it waits for an admission place, is
 * recorded Pending at once and made in the background, then turns Running or Failed), or one warm member for a pool
 * (its refiller already holds the place). A sandbox that could not be made gives its place back.
 */
final class SandboxMaker {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxMaker.class);
    private static final char[] ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final Records records;
    private final Provisioner provisioner;
    private final Admission admission;
    private final Removals removals;
    private final ManagerSettings settings;
    private final ManagerListener listener;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    SandboxMaker(
            Records records,
            Provisioner provisioner,
            Admission admission,
            Removals removals,
            ManagerSettings settings,
            ManagerListener listener,
            Clock clock) {
        this.records = records;
        this.provisioner = provisioner;
        this.admission = admission;
        this.removals = removals;
        this.settings = settings;
        this.listener = listener;
        this.clock = clock;
    }

    /** Waits for admission, records a Pending sandbox and starts making it in the background; returns the record. */
    SandboxRecord createCold(
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
        records.insert(record);
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
            records.transition(
                    spec.id(),
                    EnumSet.of(SandboxState.Pending, SandboxState.Stopping),
                    SandboxState.Failed,
                    "provision_failed",
                    e.getMessage());
            removals.released();
            return;
        }
        boolean running = records.transition(
                        spec.id(), EnumSet.of(SandboxState.Pending), SandboxState.Running, "ready", "execd answers")
                .isPresent();
        if (running) {
            listener.sandboxReady(Duration.ofNanos(System.nanoTime() - started), false);
        } else {
            // deleted while it was being made: finish the deletion
            removals.removeFromBackend(spec.id(), "user_delete", "deleted while it was being created");
        }
    }

    /** Makes one pool member; called by the pool's refiller, which already holds an admission place for it. */
    void makePoolMember(WarmPool pool) {
        SandboxType type = pool.type();
        Instant now = clock.instant();
        String id = newId();
        records.insert(new SandboxRecord(
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
            records.transition(id, Records.LIVE, SandboxState.Failed, "pool_refill_failed", e.getMessage());
            admission.release();
            pool.doneMaking(Optional.empty());
            throw e;
        }
        records.transition(id, EnumSet.of(SandboxState.Pending), SandboxState.Running, "ready", "warm and waiting");
        pool.doneMaking(Optional.of(id));
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
}
