package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moat.protocol.CommandStatus;
import dev.moat.protocol.ExecEvent;
import dev.moat.protocol.RunCommandRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Background commands: status, and logs read with a cursor. Also the entrypoint, which is one. */
class BackgroundCommandTest {

    @RegisterExtension
    static final SharedExecd execd = new SharedExecd();

    private static String startBackground(String command, Long timeout) throws Exception {
        List<ExecEvent> events = execd.client().stream(
                "/command", new RunCommandRequest(command, null, true, timeout, null, null, null));
        assertThat(events).hasSize(2);
        assertThat(Events.terminal(events)).isInstanceOf(ExecEvent.Complete.class);
        return Events.initId(events);
    }

    private static CommandStatus status(String id) throws Exception {
        return execd.status(id);
    }

    private static CommandStatus awaitFinished(String id) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> status(id), s -> !s.running());
    }

    /** A command that prints {@code before}, waits for the file {@code gate} to exist, then prints {@code after}. */
    private static String gated(Path gate, String before, String after) {
        return before + "; while [ ! -e '" + gate + "' ]; do sleep 0.02; done; " + after;
    }

    @Test
    void statusSaysRunningUntilTheCommandEndsThenGivesExitCodeAndTimes() throws Exception {
        Path gate = execd.directory().resolve("gate-status");
        Instant before = Instant.now().minusSeconds(1);
        String id = startBackground(gated(gate, "true", "exit 5"), null);

        CommandStatus running = status(id);
        assertThat(running.running()).isTrue();
        assertThat(running.exitCode()).isNull();
        assertThat(running.finishedAt()).isNull();
        assertThat(Instant.parse(running.startedAt())).isAfter(before);

        Files.createFile(gate);
        CommandStatus finished = awaitFinished(id);

        assertThat(finished.exitCode()).isEqualTo(5);
        assertThat(finished.error()).isEqualTo("command exited with code 5");
        assertThat(Instant.parse(finished.finishedAt())).isAfterOrEqualTo(Instant.parse(finished.startedAt()));
        assertThat(finished.content()).isEqualTo(gated(gate, "true", "exit 5"));
    }

    @Test
    void logsHoldStdoutAndStderrAsPlainTextWithATailCursor() throws Exception {
        String id = startBackground("echo out; echo err >&2; echo out2", null);
        awaitFinished(id);

        ExecdClient.Response logs = execd.client().get("/command/" + id + "/logs");

        assertThat(logs.status()).isEqualTo(200);
        assertThat(logs.header("Content-Type")).startsWith("text/plain");
        assertThat(logs.text()).isEqualTo("out\nerr\nout2\n");
        assertThat(logs.header(CommandRoutes.TAIL_CURSOR_HEADER)).isEqualTo("3");
    }

    @Test
    void aCursorReturnsOnlyTheLinesAfterItAndTheCursorToContinueFrom() throws Exception {
        Path gate = execd.directory().resolve("gate-cursor");
        String id = startBackground(gated(gate, "echo one; echo two", "echo three; printf four"), null);
        await().atMost(Duration.ofSeconds(15)).until(() -> execd.logs(id).equals("one\ntwo\n"));

        ExecdClient.Response first = execd.client().get("/command/" + id + "/logs?cursor=0");
        assertThat(first.text()).isEqualTo("one\ntwo\n");
        assertThat(first.header(CommandRoutes.TAIL_CURSOR_HEADER)).isEqualTo("2");
        ExecdClient.Response idle = execd.client().get("/command/" + id + "/logs?cursor=2");
        assertThat(idle.text()).isEmpty();
        assertThat(idle.header(CommandRoutes.TAIL_CURSOR_HEADER)).isEqualTo("2");

        Files.createFile(gate);
        awaitFinished(id);

        ExecdClient.Response rest = execd.client().get("/command/" + id + "/logs?cursor=2");
        assertThat(rest.text()).isEqualTo("three\nfour");
        assertThat(rest.header(CommandRoutes.TAIL_CURSOR_HEADER)).isEqualTo("4");
        assertThat(execd.client().get("/command/" + id + "/logs?cursor=1").text())
                .isEqualTo("two\nthree\nfour");
        ExecdClient.Response beyond = execd.client().get("/command/" + id + "/logs?cursor=99");
        assertThat(beyond.text()).isEmpty();
        assertThat(beyond.header(CommandRoutes.TAIL_CURSOR_HEADER)).isEqualTo("4");
    }

    @Test
    void aLineStillBeingWrittenIsHeldBackUntilItsNewlineArrives() throws Exception {
        Path written = execd.directory().resolve("half-written");
        Path gate = execd.directory().resolve("gate-partial");
        String id =
                startBackground(gated(gate, "echo done; printf half; touch '" + written + "'", "echo ' whole'"), null);
        await().atMost(Duration.ofSeconds(15)).until(() -> Files.exists(written));

        ExecdClient.Response partial = execd.client().get("/command/" + id + "/logs");
        assertThat(partial.text()).isEqualTo("done\n");
        assertThat(partial.header(CommandRoutes.TAIL_CURSOR_HEADER)).isEqualTo("1");
        Files.createFile(gate);
        awaitFinished(id);

        assertThat(execd.client().get("/command/" + id + "/logs?cursor=1").text())
                .isEqualTo("half whole\n");
    }

    @Test
    void logsFarBeyondTheIndexStrideAreFoundByCursor() throws Exception {
        String id = startBackground("seq 1 5000", null);
        awaitFinished(id);

        ExecdClient.Response logs = execd.client().get("/command/" + id + "/logs?cursor=4097");

        assertThat(logs.text()).startsWith("4098\n4099\n").endsWith("5000\n");
        assertThat(logs.header(CommandRoutes.TAIL_CURSOR_HEADER)).isEqualTo("5000");
    }

    @Test
    void aBackgroundCommandTimesOutLikeAForegroundOne() throws Exception {
        String id = startBackground("sleep 1000", 300L);

        CommandStatus status = awaitFinished(id);

        assertThat(status.exitCode()).isEqualTo(143);
        assertThat(status.error()).contains("timed out after 300 ms");
    }

    @Test
    void theEntrypointRunsAtBootAsBackgroundCommandEntrypoint() throws Exception {
        try (ExecdProcess withEntrypoint =
                ExecdProcess.start("--", "sh", "-c", "echo from entrypoint; echo warn >&2; exit 7")) {
            ExecdClient own = withEntrypoint.client();

            CommandStatus status = await().atMost(Duration.ofSeconds(20))
                    .until(
                            () -> own.get("/command/status/" + CommandRunner.ENTRYPOINT_ID)
                                    .json(CommandStatus.class),
                            s -> !s.running());

            assertThat(status.id()).isEqualTo("entrypoint");
            assertThat(status.content()).isEqualTo("sh -c echo from entrypoint; echo warn >&2; exit 7");
            assertThat(status.exitCode()).isEqualTo(7);
            assertThat(own.get("/command/entrypoint/logs").text()).isEqualTo("from entrypoint\nwarn\n");
            assertThat(own.get("/ping").status()).as("execd keeps serving").isEqualTo(200);
        }
    }

    @Test
    void anEntrypointThatCannotStartIsReportedAndExecdStillServes() throws Exception {
        try (ExecdProcess withEntrypoint = ExecdProcess.start("--", "/no/such/program", "arg")) {
            ExecdClient own = withEntrypoint.client();

            CommandStatus status = await().atMost(Duration.ofSeconds(20))
                    .until(() -> own.get("/command/status/entrypoint").json(CommandStatus.class), s -> !s.running());

            assertThat(status.exitCode()).isEqualTo(127);
            assertThat(own.get("/command/entrypoint/logs").text()).contains("/no/such/program");
            assertThat(own.get("/ping").status()).isEqualTo(200);
        }
    }
}
