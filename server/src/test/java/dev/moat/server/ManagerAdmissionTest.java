package dev.moat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Admission under {@code MAX_SANDBOX_INSTANCES=2} (no pool, so only these tests' sandboxes count): a create beyond the
 * cap waits for a place instead of failing, and only after the wait budget ({@code MOAT_ADMISSION_WAIT_SECONDS=2})
 * is it refused with 429 and {@code Retry-After}.
 */
class ManagerAdmissionTest {

    private static ServerProcess server;
    private static Api api;
    private static Sandboxes sandboxes;
    private final List<String> made = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(
                Map.of("POOL_SIZE", "0", "MAX_SANDBOX_INSTANCES", "2", "MOAT_ADMISSION_WAIT_SECONDS", "2"));
        api = server.api();
        sandboxes = new Sandboxes(server, api);
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void deleteWhatTheTestMade() {
        made.forEach(id -> api.delete("/v1/sandboxes/" + id));
        made.clear();
    }

    /** Takes both places with Running sandboxes (a Pending one frees its place only once its creation ends). */
    private void fill() {
        made.add(sandboxes.createCold(600));
        made.add(sandboxes.createCold(600));
        made.forEach(id -> sandboxes.awaitState(id, "Running", Duration.ofSeconds(60)));
    }

    @Test
    void aCreateBeyondTheCapWaitsAndIsServedWhenAPlaceIsFreed() {
        fill();
        CompletableFuture<String> third = CompletableFuture.supplyAsync(() -> sandboxes.createCold(600));
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> waiting() == 1);

        sandboxes.delete(made.removeFirst());

        String id = third.join();
        made.add(id);
        sandboxes.awaitState(id, "Running", Duration.ofSeconds(60));
        assertThat(waiting()).isZero();
    }

    @Test
    void aCreateBeyondTheCapIsRefusedWith429OnlyAfterTheWaitBudget() {
        fill();
        long started = System.nanoTime();

        Api.Reply refused = api.post(
                "/v1/sandboxes",
                Map.of("image", Map.of("uri", TestHome.BASE_IMAGE), "resourceLimits", Map.of("cpu", "500m")));

        long waitedMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
        assertThat(refused.code()).isEqualTo("CAPACITY_EXHAUSTED");
        assertThat(refused.json().path("message").asText()).contains("MAX_SANDBOX_INSTANCES");
        assertThat(refused.header("Retry-After"))
                .hasValueSatisfying(value -> assertThat(Integer.parseInt(value)).isPositive());
        assertThat(waitedMillis).as("waited the budget first").isGreaterThanOrEqualTo(1_900);
        assertThat(sandboxes.listed().stream()
                        .filter(id -> !List.of("Terminated", "Failed").contains(sandboxes.state(id))))
                .as("nothing was made for it")
                .containsExactlyInAnyOrderElementsOf(made);
    }

    private static int waiting() {
        Matcher matcher = Pattern.compile("(?m)^moat_admission_waiting ([0-9.]+)")
                .matcher(api.get("/metrics").body());
        assertThat(matcher.find()).isTrue();
        return (int) Double.parseDouble(matcher.group(1));
    }
}
