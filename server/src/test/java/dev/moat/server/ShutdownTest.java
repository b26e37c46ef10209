package dev.moat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.spi.Backend;
import dev.moat.core.spi.BackendSettings;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A server told to stop (SIGTERM) while requests are in flight: creates, reads and proxied commands. It stops within
 * seconds, no client sees a 500 (an answer, or a refused/cut connection), and no sandbox outlives it.
 */
class ShutdownTest {

    @Test
    void stoppingDuringRequestsAnswersCleanlyAndLeavesNoSandbox() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("POOL_SIZE", "1"));
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            Api api = server.api();
            String warm = api.awaitState(api.create("base", Map.of()), "Running");
            ConcurrentLinkedQueue<String> answers = new ConcurrentLinkedQueue<>();
            CountDownLatch started = new CountDownLatch(8);
            for (int i = 0; i < 8; i++) {
                int n = i;
                clients.submit(() -> {
                    started.countDown();
                    for (int round = 0; round < 200; round++) {
                        try {
                            Api.Reply reply = switch (n % 4) {
                                case 0 ->
                                    api.post(
                                            "/v1/sandboxes",
                                            Map.of(
                                                    "image", Map.of("uri", "base"),
                                                    "entrypoint", List.of("/bin/sh"),
                                                    "resourceLimits", Map.of("cpu", "250m")));
                                case 1 -> api.get("/v1/sandboxes");
                                case 2 ->
                                    api.post(
                                            "/sandboxes/" + warm + "/proxy/44772/command",
                                            Map.of("command", "echo hi"));
                                default -> api.get("/v1/sandboxes/" + warm);
                            };
                            answers.add(reply.status() + " " + reply.body());
                        } catch (UncheckedIOException e) {
                            return; // refused or cut: the server is going away
                        }
                    }
                });
            }
            started.await();
            // stop while creates are under way (accepted, still being made in the background)
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> answers.stream().anyMatch(answer -> answer.startsWith("202")));

            int exit = server.stop();

            clients.shutdown();
            assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            assertThat(exit).as(server.log()).isIn(0, 143);
            assertThat(answers).isNotEmpty();
            List<String> serverErrors = new ArrayList<>(
                    answers.stream().filter(answer -> answer.startsWith("500")).toList());
            assertThat(serverErrors).as(server.log()).isEmpty();
            assertThat(sandboxesIn(server)).as(server.log()).isEmpty();
        }
    }

    private static List<String> sandboxesIn(ServerProcess server) {
        BackendSettings settings = new BackendSettings("oci", server.home().directory(), TestHome.runtime(), Map.of());
        for (Backend.Factory factory : ServiceLoader.load(Backend.Factory.class)) {
            if (factory.deployments().contains("oci")) {
                Backend backend = factory.create(settings);
                try {
                    return backend.list(Map.of()).stream()
                            .map(info -> info.id())
                            .toList();
                } finally {
                    backend.close();
                }
            }
        }
        throw new IllegalStateException("no oci backend on the class path");
    }
}
