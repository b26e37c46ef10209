package dev.moat.core;

import dev.moat.core.spi.SandboxSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the manager behaves.
 *
 * @param pooledTypes types that keep a warm pool ({@code DEFAULT_SANDBOX_TYPE})
 * @param poolSize warm sandboxes kept per pooled type ({@code POOL_SIZE})
 * @param maxInstances cap on live sandboxes, warm ones included; 0 = unlimited ({@code MAX_SANDBOX_INSTANCES})
 * @param admissionWait how long a request waits for capacity before it is refused
 * @param maxWaiting how many requests may wait for capacity at once; more are refused at once
 * @param idPrefix prefix of sandbox ids ({@code CONTAINER_PREFIX_KEY})
 * @param workspaceRoot host directory holding each sandbox's {@code /workspace} ({@code DEFAULT_MOUNT_DIR})
 * @param readonlyMounts mounts every sandbox gets read-only ({@code READONLY_MOUNTS})
 * @param autoCleanup whether closing the manager removes every sandbox ({@code AUTO_CLEANUP})
 * @param owner value of the ownership label, so that servers sharing a host find their own sandboxes
 * @param readyTimeout how long a new sandbox may take until execd answers
 * @param refillConcurrency how many pool members are created at once
 * @param maxConcurrentCreates how many sandboxes of any kind are created on the backend at once; 0 = max(4, 2 × CPU
 *     cores) ({@code MOAT_MAX_CONCURRENT_CREATES})
 * @param retention how long records of terminated sandboxes stay visible
 */
public record ManagerSettings(
        List<String> pooledTypes,
        int poolSize,
        int maxInstances,
        Duration admissionWait,
        int maxWaiting,
        String idPrefix,
        Path workspaceRoot,
        List<SandboxSpec.Mount> readonlyMounts,
        boolean autoCleanup,
        String owner,
        Duration readyTimeout,
        int refillConcurrency,
        int maxConcurrentCreates,
        Duration retention) {

    /** The label every Moat sandbox carries; its value is {@link #owner}. */
    public static final String OWNER_LABEL = "dev.moat.owner";

    /** The label naming the sandbox's type, when it has one. */
    public static final String TYPE_LABEL = "dev.moat.type";

    public ManagerSettings {
        pooledTypes = List.copyOf(pooledTypes);
        if (poolSize < 0 || maxInstances < 0 || maxWaiting < 0 || refillConcurrency < 1 || maxConcurrentCreates < 0) {
            throw new IllegalArgumentException(
                    "pool size, instance cap, waiters and concurrent creates cannot be negative");
        }
        Objects.requireNonNull(admissionWait);
        Objects.requireNonNull(idPrefix);
        Objects.requireNonNull(workspaceRoot);
        readonlyMounts = List.copyOf(readonlyMounts);
        Objects.requireNonNull(owner);
        Objects.requireNonNull(readyTimeout);
        Objects.requireNonNull(retention);
    }
}
