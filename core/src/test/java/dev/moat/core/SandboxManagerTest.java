package dev.moat.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.moat.core.spi.ResourceLimits;
import dev.moat.core.spi.SandboxException;
import dev.moat.core.spi.SandboxInfo;
import dev.moat.protocol.SandboxState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxManagerTest {

    private static final ResourceLimits BASE_LIMITS = new ResourceLimits(1000, 2L << 30, 4096);
    private static final SandboxType BASE =
            new SandboxType("base", "moat/base:latest", Map.of("TYPE", "base"), BASE_LIMITS, Optional.empty(), "base");

    @TempDir
    Path directory;

    private FakeBackend backend;
    private FakeExecd execd;
    private SandboxManager manager;
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @org.junit.jupiter.api.BeforeEach
    void createBackend() throws Exception {
        backend = new FakeBackend(java.nio.file.Files.createDirectories(directory.resolve("sockets")));
        execd = new FakeExecd(backend);
    }

    private SandboxManager start(int poolSize, int maxInstances, Duration admissionWait) {
        ManagerSettings settings = new ManagerSettings(
                List.of("base"),
                poolSize,
                maxInstances,
                admissionWait,
                100,
                "test-",
                directory.resolve("workspaces"),
                List.of(),
                true,
                "test-owner",
                Duration.ofSeconds(5),
                2,
                0,
                Duration.ofMinutes(10));
        manager = new SandboxManager(
                backend,
                store,
                new SandboxTypes(List.of(BASE), "agentscope", "latest"),
                settings,
                execd,
                ManagerListener.NONE,
                clock);
        manager.start();
        return manager;
    }

    @AfterEach
    void close() {
        if (manager != null) {
            manager.close();
        }
    }

    private SandboxRecord awaitState(String id, SandboxState state) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> store.get(id).map(SandboxRecord::state).orElse(null) == state);
        return store.get(id).orElseThrow();
    }

    private static dev.moat.core.spi.SandboxSpec spec(String id, String owner) {
        return new dev.moat.core.spi.SandboxSpec(
                id,
                "moat/base:latest",
                Map.of(),
                List.of(),
                ResourceLimits.UNLIMITED,
                List.of(),
                dev.moat.core.spi.SandboxSpec.NetworkMode.LOOPBACK,
                Map.of(ManagerSettings.OWNER_LABEL, owner));
    }

    private static SandboxRequest expiringIn(Duration timeout) {
        return new SandboxRequest(
                "moat/other:1",
                Map.of(),
                List.of(),
                ResourceLimits.UNLIMITED,
                Map.of(),
                Optional.of(timeout),
                List.of());
    }

    private static SandboxRequest request(String image) {
        return SandboxRequest.of(image);
    }

    @Test
    void requestForAPooledTypeIsServedWarmAndThePoolRefills() throws Exception {
        start(2, 0, Duration.ofSeconds(1));
        await().until(() -> manager.stats().pools().get("base").ready() == 2);

        SandboxRecord record = manager.create(new SandboxRequest(
                "agentscope/runtime-sandbox-base:latest",
                Map.of("A", "1"),
                List.of("python", "app.py"),
                BASE_LIMITS,
                Map.of("team", "x"),
                Optional.of(Duration.ofMinutes(5)),
                List.of()));

        assertThat(record.state()).isEqualTo(SandboxState.Running);
        assertThat(record.pooled()).isFalse();
        assertThat(record.metadata()).containsEntry("team", "x");
        assertThat(record.expiresAt()).contains(now.get().plus(Duration.ofMinutes(5)));
        assertThat(execd.environments.get(record.id())).containsEntry("A", "1");
        assertThat(execd.entrypoints.get(record.id())).containsExactly("python", "app.py");
        assertThat(execd.warmed).containsKey(record.id());
        await().until(() -> manager.stats().pools().get("base").ready() == 2);
        assertThat(manager.list()).extracting(SandboxRecord::id).containsExactly(record.id());
    }

    @Test
    void requestWithOtherLimitsIsCreatedColdWithTypeEnvironment() throws Exception {
        start(1, 0, Duration.ofSeconds(1));
        SandboxRecord record = manager.create(new SandboxRequest(
                "base",
                Map.of("B", "2"),
                List.of(),
                new ResourceLimits(500, 0, 0),
                Map.of(),
                Optional.empty(),
                List.of()));

        assertThat(record.state()).isEqualTo(SandboxState.Pending);
        awaitState(record.id(), SandboxState.Running);
        assertThat(backend.specs.get(record.id()).env())
                .containsEntry("TYPE", "base")
                .containsEntry("B", "2");
        assertThat(backend.specs.get(record.id()).limits()).isEqualTo(new ResourceLimits(500, 2L << 30, 4096));
        assertThat(backend.specs.get(record.id()).mounts())
                .anySatisfy(mount -> assertThat(mount.target()).isEqualTo("/workspace"));
    }

    @Test
    void burstBeyondCapacityWaitsForAPlaceInsteadOfFailing() throws Exception {
        start(0, 2, Duration.ofSeconds(10));
        SandboxRecord first = manager.create(request("moat/other:1"));
        manager.create(request("moat/other:1"));
        awaitState(first.id(), SandboxState.Running);

        CompletableFuture<SandboxRecord> third =
                CompletableFuture.supplyAsync(() -> manager.create(request("moat/other:1")));
        await().until(() -> manager.stats().waiting() == 1);
        assertThat(third).isNotDone();

        manager.delete(first.id());
        SandboxRecord admitted = third.get(10, TimeUnit.SECONDS);
        assertThat(awaitState(admitted.id(), SandboxState.Running).state()).isEqualTo(SandboxState.Running);
    }

    @Test
    void requestIsRefusedWithCapacityOnlyAfterTheWaitBudget() throws Exception {
        start(0, 1, Duration.ofMillis(300));
        manager.create(request("moat/other:1"));
        assertThatThrownBy(() -> manager.create(request("moat/other:1")))
                .isInstanceOfSatisfying(
                        SandboxException.class, e -> assertThat(e.kind()).isEqualTo(SandboxException.Kind.CAPACITY))
                .hasMessageContaining("MAX_SANDBOX_INSTANCES");
    }

    @Test
    void expiredSandboxIsDeletedWithTtlReason() throws Exception {
        start(0, 0, Duration.ofSeconds(1));
        SandboxRecord record = manager.create(expiringIn(Duration.ofSeconds(60)));
        awaitState(record.id(), SandboxState.Running);

        now.set(now.get().plusSeconds(61));

        SandboxRecord ended = awaitState(record.id(), SandboxState.Terminated);
        assertThat(ended.reason()).isEqualTo("ttl_expiry");
        assertThat(backend.sandboxes).doesNotContainKey(record.id());
    }

    @Test
    void renewMovesExpiryOnlyForward() throws Exception {
        start(0, 0, Duration.ofSeconds(1));
        SandboxRecord record = manager.create(expiringIn(Duration.ofSeconds(600)));
        Instant later = now.get().plusSeconds(3600);

        assertThat(manager.renew(record.id(), later).expiresAt()).contains(later);
        assertThatThrownBy(() -> manager.renew(record.id(), now.get().plusSeconds(60)))
                .hasMessageContaining("not later than the current expiry");
        assertThatThrownBy(() -> manager.renew(record.id(), now.get().minusSeconds(1)))
                .hasMessageContaining("not in the future");
    }

    @Test
    void sandboxWhoseProcessesVanishIsMarkedFailed() throws Exception {
        start(0, 0, Duration.ofSeconds(1));
        SandboxRecord record = manager.create(request("moat/other:1"));
        awaitState(record.id(), SandboxState.Running);

        backend.kill(record.id());

        SandboxRecord failed = awaitState(record.id(), SandboxState.Failed);
        assertThat(failed.reason()).isEqualTo("runtime_error");
        assertThat(failed.message()).contains("execd stopped answering");
    }

    @Test
    void pauseAndResumeFollowTheStateMachine() throws Exception {
        start(0, 0, Duration.ofSeconds(1));
        SandboxRecord record = manager.create(request("moat/other:1"));
        awaitState(record.id(), SandboxState.Running);

        assertThat(manager.pause(record.id()).state()).isEqualTo(SandboxState.Paused);
        assertThat(backend.inspect(record.id()).orElseThrow().state()).isEqualTo(SandboxInfo.State.PAUSED);
        assertThatThrownBy(() -> manager.endpoint(record.id())).hasMessageContaining("resume it first");
        assertThat(manager.resume(record.id()).state()).isEqualTo(SandboxState.Running);
        assertThatCode(() -> manager.resume(record.id())).doesNotThrowAnyException();
    }

    @Test
    void startRemovesOrphansAndCloseRemovesEverything() throws Exception {
        backend.create(spec("orphan", "test-owner"));
        backend.create(spec("foreign", "someone-else"));

        start(1, 0, Duration.ofSeconds(1));

        assertThat(backend.sandboxes).doesNotContainKey("orphan").containsKey("foreign");
        backend.remove("foreign");

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(manager.create(request("moat/other:1")).id());
        }
        ids.forEach(id -> awaitState(id, SandboxState.Running));
        await().until(() -> manager.stats().pools().get("base").ready() == 1);

        manager.close();
        assertThat(backend.sandboxes).isEmpty();
        manager = null;
    }

    @Test
    void deleteWhilePendingEndsTerminatedAndFreesThePlace() throws Exception {
        start(0, 1, Duration.ofMillis(200));
        SandboxRecord record = manager.create(request("moat/other:1"));
        manager.delete(record.id());
        awaitState(record.id(), SandboxState.Terminated);
        assertThat(backend.sandboxes).doesNotContainKey(record.id());
        SandboxRecord next = manager.create(request("moat/other:1"));
        assertThat(awaitState(next.id(), SandboxState.Running).id()).isEqualTo(next.id());
    }

    @Test
    void failedCreateEndsFailedWithTheBackendMessage() throws Exception {
        start(0, 0, Duration.ofSeconds(1));
        backend.failCreates = true;
        SandboxRecord record = manager.create(request("moat/other:1"));
        SandboxRecord failed = awaitState(record.id(), SandboxState.Failed);
        assertThat(failed.message()).contains("create refused by the test");
    }
}
