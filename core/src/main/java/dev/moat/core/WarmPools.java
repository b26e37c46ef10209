package dev.moat.core;

import dev.moat.core.spi.ResourceLimits;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The warm pools of the pooled sandbox types ({@code DEFAULT_SANDBOX_TYPE}, {@code POOL_SIZE}), by type name: which
 * pool, if any, may serve a request, and what every pool must hear when a sandbox goes.
 */
final class WarmPools {

    private final Map<String, WarmPool> pools;

    private WarmPools(Map<String, WarmPool> pools) {
        this.pools = pools;
    }

    /** A pool of {@code poolSize} for each pooled type; none when the size is 0. Every pooled type must exist. */
    static WarmPools of(SandboxTypes types, ManagerSettings settings) {
        Map<String, WarmPool> pools = new LinkedHashMap<>();
        for (String name : settings.pooledTypes()) {
            SandboxType type = types.get(name)
                    .orElseThrow(() -> new IllegalArgumentException("DEFAULT_SANDBOX_TYPE names '" + name
                            + "', which is not a sandbox type; known: "
                            + types.all().stream().map(SandboxType::name).toList()));
            if (settings.poolSize() > 0) {
                pools.put(name, new WarmPool(type, settings.poolSize()));
            }
        }
        return new WarmPools(pools);
    }

    /**
     * The pool that may serve a request for {@code type}: one exists for it, and the request wants that type's limits
     * and no extra mounts.
     */
    Optional<WarmPool> serving(Optional<SandboxType> type, ResourceLimits limits, boolean hasMounts) {
        return type.map(t -> pools.get(t.name()))
                .filter(p -> !hasMounts && limits.equals(p.type().limits()));
    }

    Collection<WarmPool> all() {
        return pools.values();
    }

    /** Drops {@code id} from whichever pool holds it ready. */
    void discard(String id) {
        pools.values().forEach(pool -> pool.discard(id));
    }

    /** Wakes every refiller: a place may have been released. */
    void pokeAll() {
        pools.values().forEach(WarmPool::poke);
    }

    Map<String, ManagerStats.Pool> stats() {
        Map<String, ManagerStats.Pool> poolStats = new LinkedHashMap<>();
        pools.forEach((name, pool) ->
                poolStats.put(name, new ManagerStats.Pool(pool.target(), pool.readyCount(), pool.makingCount())));
        return poolStats;
    }
}
