package dev.moat.core;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/** The state store of a single server: a concurrent map. */
public final class InMemoryStateStore implements StateStore {

    private final ConcurrentHashMap<String, SandboxRecord> records = new ConcurrentHashMap<>();

    @Override
    public Optional<SandboxRecord> get(String id) {
        return Optional.ofNullable(records.get(id));
    }

    @Override
    public boolean insert(SandboxRecord record) {
        return records.putIfAbsent(record.id(), record) == null;
    }

    @Override
    public Optional<SandboxRecord> update(String id, UnaryOperator<SandboxRecord> change) {
        return Optional.ofNullable(records.computeIfPresent(id, (key, record) -> change.apply(record)));
    }

    @Override
    public void remove(String id) {
        records.remove(id);
    }

    @Override
    public List<SandboxRecord> all() {
        return List.copyOf(records.values());
    }
}
