package dev.moat.core;

import dev.moat.core.spi.ExecdEndpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The execd side of {@link FakeBackend}: answers when the sandbox runs, and records what it was asked. */
final class FakeExecd implements ExecdGateway {

    private final FakeBackend backend;
    final Map<String, Map<String, String>> environments = new ConcurrentHashMap<>();
    final Map<String, List<String>> entrypoints = new ConcurrentHashMap<>();
    final Map<String, Boolean> warmed = new ConcurrentHashMap<>();

    FakeExecd(FakeBackend backend) {
        this.backend = backend;
    }

    private static String id(ExecdEndpoint endpoint) {
        return ((ExecdEndpoint.UnixSocket) endpoint).path().getFileName().toString();
    }

    @Override
    public boolean ping(ExecdEndpoint endpoint, Duration timeout) {
        return backend.inspect(id(endpoint))
                .filter(info -> info.state() == dev.moat.core.spi.SandboxInfo.State.RUNNING)
                .isPresent();
    }

    @Override
    public void warmKernel(ExecdEndpoint endpoint) {
        warmed.put(id(endpoint), true);
    }

    @Override
    public void applyEnvironment(ExecdEndpoint endpoint, Map<String, String> env) {
        if (!ping(endpoint, Duration.ZERO)) {
            throw new dev.moat.core.spi.SandboxException(
                    dev.moat.core.spi.SandboxException.Kind.FAILED, "execd does not answer");
        }
        environments.put(id(endpoint), env);
    }

    @Override
    public void startEntrypoint(ExecdEndpoint endpoint, List<String> entrypoint) {
        entrypoints.put(id(endpoint), entrypoint);
    }
}
