package dev.moat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The sandbox manager in a real server process with a warm pool of 2: hand-out from the pool (ready, kernel started,
 * request env applied, {@code Server-Timing} says pool) and refill to exactly the pool size; a dead pool member is not handed out; a sandbox whose
 * execd dies is marked Failed; renew-expiration; expiry; one server per MOAT_HOME. The shortest timeout a create may
 * ask is 60 s, so the expiring sandbox is made first and checked last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManagerLifecycleTest {

    private static final int POOL_SIZE = 2;

    private static ServerProcess server;
    private static Api api;
    private static Sandboxes sandboxes;
    private static String expiring;
    private static String renewed;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(Map.of("POOL_SIZE", Integer.toString(POOL_SIZE)));
        api = server.api();
        sandboxes = new Sandboxes(server, api);
        expiring = sandboxes.createCold(60);
        renewed = sandboxes.createCold(60);
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

    @Test
    @Order(1)
    void createServedFromAFullPoolIsReadyWithItsEnvAndThePoolRefillsToItsSize() {
        List<String> members = sandboxes.fullPool(POOL_SIZE);

        Api.Reply created = sandboxes.createBase(Map.of("MOAT_GREETING", "hello from the pool"));

        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        assertThat(created.header("Server-Timing").orElseThrow()).matches(Sandboxes.serverTiming("pool"));
        String id = created.json().path("id").asText();
        assertThat(members).as("served by a warm member").contains(id);
        assertThat(created.json().path("status").path("state").asText()).isEqualTo("Running");
        assertThat(sandboxes.pythonContexts(id))
                .as("the python kernel was started in the pool")
                .hasSize(1);
        String warmKernel = sandboxes.pythonContexts(id).getFirst();
        assertThat(sandboxes.run(id, "echo \"$MOAT_GREETING\"")).containsExactly("hello from the pool");
        assertThat(sandboxes.python(id, "import os; print(os.environ['MOAT_GREETING'])"))
                .containsExactly("hello from the pool");
        assertThat(sandboxes.pythonContexts(id))
                .as("the cell ran in the warm kernel")
                .containsExactly(warmKernel);

        sandboxes.awaitPoolReady(POOL_SIZE);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(sandboxes.onHost())
                        .as("listed sandboxes plus exactly the pool")
                        .hasSize((int) sandboxes.listed().stream()
                                        .filter(listed ->
                                                sandboxes.state(listed).equals("Running"))
                                        .count()
                                + POOL_SIZE));
        sandboxes.delete(id);
    }

    @Test
    @Order(2)
    void aPoolMemberWhoseExecdDiedIsNotHandedOut() throws Exception {
        List<String> members = sandboxes.fullPool(POOL_SIZE);
        for (String member : members) {
            sandboxes.killExecd(member);
        }

        Api.Reply created = sandboxes.createBase(Map.of());

        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        String id = created.json().path("id").asText();
        sandboxes.awaitState(id, "Running", Duration.ofSeconds(60));
        assertThat(sandboxes.run(id, "echo alive")).containsExactly("alive");
        sandboxes.delete(id);
    }

    @Test
    @Order(3)
    void aSandboxWhoseExecdDiesIsMarkedFailed() {
        String id = sandboxes.createCold(600);
        sandboxes.awaitState(id, "Running", Duration.ofSeconds(60));

        api.post("/sandboxes/" + id + Sandboxes.EXECD + "/command", Map.of("command", "pkill -9 -f 'execd[.]jar'"));

        sandboxes.awaitState(id, "Failed", Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> !sandboxes.onHost().contains(id));
    }

    @Test
    @Order(4)
    void renewExpirationMovesTheExpiryForward() {
        Instant later = Instant.now().plus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);

        Api.Reply reply =
                api.post("/v1/sandboxes/" + renewed + "/renew-expiration", Map.of("expiresAt", later.toString()));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(Instant.parse(sandboxes.get(renewed).path("expiresAt").asText()))
                .isEqualTo(later);
    }

    @Test
    @Order(5)
    void aSecondServerOnTheSameHomeStopsWithAClearMessage() throws Exception {
        ServerProcess.Outcome second = server.startAnother(Map.of());

        assertThat(second.exitCode()).as(second.output()).isEqualTo(1);
        assertThat(second.output())
                .contains("another Moat server (pid " + server.process().pid() + ")")
                .contains(server.home().directory().toString());
        assertThat(api.get("/health").status())
                .as("the first server is unaffected")
                .isEqualTo(200);
    }

    @Test
    @Order(6)
    void aSandboxPastItsTimeoutIsRemovedAndARenewedOneStays() {
        sandboxes.awaitState(expiring, "Terminated", Duration.ofSeconds(90));
        assertThat(sandboxes.get(expiring).path("status").path("reason").asText())
                .isEqualTo("ttl_expiry");
        assertThat(sandboxes.onHost()).doesNotContain(expiring);
        assertThat(sandboxes.state(renewed)).isEqualTo("Running");
    }

    @Test
    @Order(7)
    void sandboxesRunInAUserNamespaceWhoseRootIsNoHostUser() {
        List<String> uidMap = sandboxes.run(renewed, "cat /proc/self/uid_map");

        assertThat(uidMap).singleElement().asString().matches("\\s*0\\s+[1-9]\\d*\\s+\\d+\\s*");
    }

    @Test
    @Order(8)
    void aHungPoolMemberHoldsAHandOutOnlyForTheHandOutCallTimeout() throws Exception {
        List<String> members = sandboxes.fullPool(POOL_SIZE);
        for (String member : members) {
            sandboxes.freezeExecd(member);
        }

        Api.Reply created = sandboxes.createBase(Map.of("HUNG", "no"));

        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        // each frozen member costs the hand-out its call timeout (10 s), not the 60 s a kernel start may take
        double serverMillis =
                Double.parseDouble(created.header("Server-Timing").orElseThrow().replaceAll(".*dur=([0-9.]+).*", "$1"));
        assertThat(serverMillis).isLessThan(members.size() * 30_000.0);
        String id = created.json().path("id").asText();
        sandboxes.awaitState(id, "Running", Duration.ofSeconds(60));
        assertThat(sandboxes.run(id, "echo $HUNG")).containsExactly("no");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !sandboxes.onHost().stream()
                        .filter(members::contains)
                        .findAny()
                        .isPresent());
        sandboxes.delete(id);
    }
}
