package dev.moat.execd;

import static dev.moat.execd.Events.error;
import static dev.moat.execd.Events.stderr;
import static dev.moat.execd.Events.stdout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moat.protocol.CreateSessionResponse;
import dev.moat.protocol.ExecEvent;
import dev.moat.protocol.RunCommandRequest;
import dev.moat.protocol.RunInSessionRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ProcessBuilder launcher, which execd uses on C libraries too old for its posix_spawn launcher, keeps the same
 * contract: streams, process groups, background logs and sessions.
 */
class FallbackLauncherTest {

    @RegisterExtension
    static final SharedExecd execd = new SharedExecd(Map.of(ProcessLauncher.CHOICE_VARIABLE, "java"));

    @Test
    void execdSaysWhichLauncherItUses() throws Exception {
        execd.client().stream("/command", RunCommandRequest.of("true"));

        await().atMost(Duration.ofSeconds(30)).until(() -> execd.log().contains("ProcessBuilder and setsid"));
        assertThat(execd.log()).doesNotContain(SpawnLauncher.READY);
    }

    @Test
    void outputAndExitCodeStreamTheSameWay() throws Exception {
        List<ExecEvent> events =
                execd.client().stream("/command", RunCommandRequest.of("echo out; echo err >&2; printf last; exit 3"));

        assertThat(stdout(events)).containsExactly("out", "last");
        assertThat(stderr(events)).containsExactly("err");
        assertThat(error(events).evalue()).isEqualTo("3");
    }

    @Test
    void aTimeoutKillsTheWholeProcessGroup() throws Exception {
        try (LiveStream stream = LiveStream.open(
                execd.client(),
                "/command",
                new RunCommandRequest("(sleep 1000) & echo $!; wait", null, false, 500L, null, null, null))) {
            long grandchild = Long.parseLong(stream.nextStdout());

            assertThat(error(stream.readToEnd()).evalue()).isEqualTo("143");
            await().atMost(Duration.ofSeconds(15)).until(() -> !ProcFs.isRunning(grandchild));
        }
    }

    @Test
    void backgroundOutputGoesToItsLog() throws Exception {
        String id = Events.initId(execd.client().stream(
                "/command", new RunCommandRequest("echo a; echo b >&2", null, true, null, null, null, null)));

        await().atMost(Duration.ofSeconds(15)).until(() -> !execd.status(id).running());
        assertThat(execd.logs(id)).isEqualTo("a\nb\n");
    }

    @Test
    void aSessionRunIsInterruptedLikeCtrlCAndTheSessionStays() throws Exception {
        String session = execd.client()
                .post("/session", Map.of())
                .json(CreateSessionResponse.class)
                .sessionId();

        List<ExecEvent> timedOut = execd.client().stream(
                "/session/" + session + "/run", new RunInSessionRequest("X=1; sleep 1000", null, 300L));

        assertThat(error(timedOut).evalue()).isEqualTo("130");
        assertThat(stdout(execd.client().stream(
                        "/session/" + session + "/run", new RunInSessionRequest("echo $X", null, null))))
                .containsExactly("1");
    }
}
