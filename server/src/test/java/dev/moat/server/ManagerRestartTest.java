package dev.moat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A server that dies or stops leaves nothing behind: after {@code kill -9} a restart on the same MOAT_HOME removes
 * every sandbox no record knows before it serves; SIGTERM with {@code AUTO_CLEANUP=True} removes every sandbox, even
 * pool members still being created when the signal came.
 */
class ManagerRestartTest {

    @Test
    void afterKillNineARestartRemovesEverySandboxTheOldServerMade() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("POOL_SIZE", "1"));
                Api api = server.api()) {
            Sandboxes sandboxes = new Sandboxes(server, api);
            List<String> made = List.of(sandboxes.createCold(600), sandboxes.createCold(600));
            for (String id : made) {
                sandboxes.awaitState(id, "Running", Duration.ofSeconds(60));
            }
            sandboxes.awaitPoolReady(1);
            List<String> before = sandboxes.onHost();
            assertThat(before).containsAll(made).hasSize(3);
            assertThat(Sandboxes.inRuntime(server.home())).containsAll(before);

            server.kill();
            assertThat(sandboxes.onHost())
                    .as("a killed server cleans nothing up")
                    .containsAll(before);
            server.launch();

            assertThat(sandboxes.onHost()).as("bundles after the restart").doesNotContainAnyElementsOf(before);
            assertThat(Sandboxes.inRuntime(server.home()))
                    .as("runtime state after the restart")
                    .doesNotContainAnyElementsOf(before);
            for (String id : made) {
                assertThat(api.get("/v1/sandboxes/" + id).status()).isEqualTo(404);
            }
            String fresh = sandboxes.createCold(600);
            sandboxes.awaitState(fresh, "Running", Duration.ofSeconds(60));

            assertThat(server.stop())
                    .as("exit status after SIGTERM: " + server.log())
                    .isIn(0, 143);
            assertThat(sandboxes.onHost())
                    .as("SIGTERM with AUTO_CLEANUP removes every sandbox")
                    .isEmpty();
            assertThat(Sandboxes.inRuntime(server.home())).isEmpty();
        }
    }

    @Test
    void sigtermWhilePoolMembersAreBeingCreatedLeavesNoSandbox() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("POOL_SIZE", "4"))) {
            // /health answers before the pool is full: members are being created right now
            assertThat(server.stop())
                    .as("exit status after SIGTERM: " + server.log())
                    .isIn(0, 143);

            assertThat(Sandboxes.onHost(server.home())).as(server.log()).isEmpty();
            assertThat(Sandboxes.inRuntime(server.home())).isEmpty();
        }
    }
}
