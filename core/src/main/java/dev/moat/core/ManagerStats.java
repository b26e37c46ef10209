package dev.moat.core;

import java.util.Map;

/**
 * A snapshot of the manager for metrics: sandboxes by state (pool members included), each pool's fill, and the
 * admission queue.
 */
public record ManagerStats(
        Map<dev.moat.protocol.SandboxState, Integer> byState, Map<String, Pool> pools, int waiting, int capacity) {

    public ManagerStats {
        byState = Map.copyOf(byState);
        pools = Map.copyOf(pools);
    }

    /** One pool: how many it should hold, how many are ready, how many are being made. */
    public record Pool(int target, int ready, int making) {}
}
