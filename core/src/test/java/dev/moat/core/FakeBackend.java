package dev.moat.core;

import dev.moat.core.spi.Backend;
import dev.moat.core.spi.ExecdEndpoint;
import dev.moat.core.spi.ResourceUsage;
import dev.moat.core.spi.SandboxException;
import dev.moat.core.spi.SandboxInfo;
import dev.moat.core.spi.SandboxSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-written in-memory backend for the manager's own logic (pools, admission, transitions); the real backends
 * are tested end to end elsewhere. A sandbox "runs" when it is in the map; its execd socket is a plain file.
 */
final class FakeBackend implements Backend {

    final Map<String, SandboxInfo> sandboxes = new ConcurrentHashMap<>();
    final Map<String, SandboxSpec> specs = new ConcurrentHashMap<>();
    final AtomicInteger creates = new AtomicInteger();
    volatile boolean failCreates;
    private final Path sockets;

    FakeBackend(Path sockets) {
        this.sockets = sockets;
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public String describe() {
        return "in-memory fake";
    }

    @Override
    public SandboxInfo create(SandboxSpec spec) {
        creates.incrementAndGet();
        if (failCreates) {
            throw new SandboxException(SandboxException.Kind.FAILED, "create refused by the test");
        }
        SandboxInfo info =
                new SandboxInfo(spec.id(), spec.image(), SandboxInfo.State.RUNNING, spec.labels(), Instant.now());
        sandboxes.put(spec.id(), info);
        specs.put(spec.id(), spec);
        try {
            Files.writeString(sockets.resolve(spec.id()), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return info;
    }

    void kill(String id) {
        sandboxes.remove(id);
    }

    private void setState(String id, SandboxInfo.State state) {
        sandboxes.computeIfPresent(
                id, (key, info) -> new SandboxInfo(info.id(), info.image(), state, info.labels(), info.createdAt()));
    }

    @Override
    public void pause(String id) {
        setState(id, SandboxInfo.State.PAUSED);
    }

    @Override
    public void resume(String id) {
        setState(id, SandboxInfo.State.RUNNING);
    }

    @Override
    public void stop(String id) {
        setState(id, SandboxInfo.State.STOPPED);
    }

    @Override
    public void remove(String id) {
        sandboxes.remove(id);
        specs.remove(id);
    }

    @Override
    public Optional<SandboxInfo> inspect(String id) {
        return Optional.ofNullable(sandboxes.get(id));
    }

    @Override
    public List<SandboxInfo> list(Map<String, String> selector) {
        return sandboxes.values().stream()
                .filter(info -> info.labels().entrySet().containsAll(selector.entrySet()))
                .toList();
    }

    @Override
    public ResourceUsage usage(String id) {
        return new ResourceUsage(0, 0, 0, 0, System.currentTimeMillis());
    }

    @Override
    public ExecdEndpoint execdEndpoint(String id) {
        return new ExecdEndpoint.UnixSocket(sockets.resolve(id));
    }

    @Override
    public Set<String> images() {
        return Set.of("moat/base:latest");
    }

    @Override
    public void close() {}
}
