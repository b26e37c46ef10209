package dev.moat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * 100 creates at once against a pool of 10: every one is accepted and every sandbox becomes Running (the pool serves
 * the first ten, the rest are created cold with bounded concurrency); then all are deleted and nothing is left but
 * the pool, at exactly its size. Heavy (about a minute on two cores), so it is one test.
 */
class PoolBurstTest {

    private static final int BURST = 100;

    @Test
    void hundredConcurrentCreatesAreAllServed() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("POOL_SIZE", "10", "MAX_SANDBOX_INSTANCES", "150"));
                Api api = server.api();
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            try {
                burst(server, api, clients);
            } catch (Exception | AssertionError e) {
                String log = server.log();
                throw new AssertionError("server log (end):\n" + log.substring(Math.max(0, log.length() - 20_000)), e);
            }
        }
    }

    private static void burst(ServerProcess server, Api api, ExecutorService clients) throws Exception {
        {
            Sandboxes sandboxes = new Sandboxes(server, api);
            sandboxes.awaitPoolReady(10);

            List<Future<Api.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                replies.add(clients.submit(() -> sandboxes.createBase(Map.of())));
            }
            List<String> ids = new ArrayList<>();
            for (Future<Api.Reply> reply : replies) {
                assertThat(reply.get().status()).as(reply.get().toString()).isEqualTo(202);
                ids.add(reply.get().json().path("id").asText());
            }

            assertThat(ids).doesNotHaveDuplicates();
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(states(api, ids)).containsOnly("Running"));
            assertThat(sandboxes.run(ids.getLast(), "echo served")).containsExactly("served");

            List<Future<Api.Reply>> deletes = new ArrayList<>();
            for (String id : ids) {
                deletes.add(clients.submit(() -> api.delete("/v1/sandboxes/" + id)));
            }
            for (Future<Api.Reply> delete : deletes) {
                assertThat(delete.get().status()).as(delete.get().toString()).isEqualTo(204);
            }
            assertThat(sandboxes.onHost()).doesNotContainAnyElementsOf(ids);
            sandboxes.awaitPoolReady(10);
            assertThat(sandboxes.onHost())
                    .as("exactly the pool is left: the refills did not overfill it")
                    .hasSize(10);
        }
    }

    private static List<String> states(Api api, List<String> ids) {
        Map<String, String> byId = new java.util.HashMap<>();
        api.get("/v1/sandboxes?pageSize=1000")
                .json()
                .path("items")
                .forEach(item -> byId.put(
                        item.path("id").asText(),
                        item.path("status").path("state").asText()));
        return ids.stream().map(id -> byId.getOrDefault(id, "missing")).toList();
    }
}
