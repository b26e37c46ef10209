package dev.moat.execd;

import static dev.moat.execd.Events.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moat.protocol.CommandStatus;
import dev.moat.protocol.CreateSessionResponse;
import dev.moat.protocol.ExecEvent;
import dev.moat.protocol.RunCommandRequest;
import dev.moat.protocol.RunInSessionRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Interrupts, timeouts and disconnects stop a command's whole process group, grandchildren included. */
class CommandStopTest {

    /** A shell that starts a grandchild (a sleep in a subshell), prints its pid, then waits. */
    private static final String WITH_GRANDCHILD = "(sleep 1000; echo never) & echo $!; wait";

    @RegisterExtension
    static final SharedExecd execd = new SharedExecd();

    private static RunCommandRequest foreground(String command, Long timeout) {
        return new RunCommandRequest(command, null, false, timeout, null, null, null);
    }

    private static void awaitGone(long pid) {
        await().atMost(Duration.ofSeconds(15)).until(() -> !ProcFs.isRunning(pid));
    }

    @Test
    void interruptKillsTheWholeProcessGroupOfAForegroundCommand() throws Exception {
        try (LiveStream stream = LiveStream.open(execd.client(), "/command", foreground(WITH_GRANDCHILD, null))) {
            String id = ((ExecEvent.Init) stream.await(ExecEvent.Init.class::isInstance)).text();
            long grandchild = Long.parseLong(stream.nextStdout());
            assertThat(ProcFs.isRunning(grandchild)).isTrue();

            assertThat(execd.client().delete("/command?id=" + id).status()).isEqualTo(200);

            List<ExecEvent> events = stream.readToEnd();
            assertThat(error(events).evalue()).isEqualTo("143");
            assertThat(error(events).traceback()).singleElement().asString().contains("interrupted");
            assertThat(Events.stdout(events)).doesNotContain("never");
            awaitGone(grandchild);
            CommandStatus status = execd.status(id);
            assertThat(status.running()).isFalse();
            assertThat(status.exitCode()).isEqualTo(143);
            assertThat(status.error()).contains("interrupted");
        }
    }

    @Test
    void interruptEscalatesToKillForProcessesThatIgnoreTerm() throws Exception {
        try (LiveStream stream = LiveStream.open(
                execd.client(),
                "/command",
                foreground("trap '' TERM; (trap '' TERM; sleep 1000) & echo $!; wait", null))) {
            String id = ((ExecEvent.Init) stream.await(ExecEvent.Init.class::isInstance)).text();
            long grandchild = Long.parseLong(stream.nextStdout());

            execd.client().delete("/command?id=" + id);

            assertThat(error(stream.readToEnd()).evalue()).isEqualTo("137");
            awaitGone(grandchild);
        }
    }

    @Test
    void timeoutKillsTheWholeGroupAndTheStreamSaysItTimedOut() throws Exception {
        try (LiveStream stream = LiveStream.open(execd.client(), "/command", foreground(WITH_GRANDCHILD, 500L))) {
            long grandchild = Long.parseLong(stream.nextStdout());

            ExecEvent.ErrorDetail error = error(stream.readToEnd());

            assertThat(error.ename()).isEqualTo("CommandExecError");
            assertThat(error.evalue()).isEqualTo("143");
            assertThat(error.traceback()).singleElement().asString().contains("timed out after 500 ms");
            awaitGone(grandchild);
        }
    }

    @Test
    void aClientThatDisconnectsHasItsForegroundCommandGroupKilled() throws Exception {
        long grandchild;
        String id;
        try (LiveStream stream = LiveStream.open(execd.client(), "/command", foreground(WITH_GRANDCHILD, null))) {
            id = ((ExecEvent.Init) stream.await(ExecEvent.Init.class::isInstance)).text();
            grandchild = Long.parseLong(stream.nextStdout());
            stream.disconnect();
        }

        awaitGone(grandchild);
        await().atMost(Duration.ofSeconds(15)).until(() -> !execd.status(id).running());
        assertThat(execd.status(id).error()).contains("disconnected");
    }

    @Test
    void backgroundCommandsOutliveTheirRequest() throws Exception {
        List<ExecEvent> events = execd.client().stream(
                "/command", new RunCommandRequest(WITH_GRANDCHILD, null, true, null, null, null, null));
        String id = Events.initId(events);
        assertThat(Events.terminal(events)).isInstanceOf(ExecEvent.Complete.class);

        await().atMost(Duration.ofSeconds(15)).until(() -> !execd.logs(id).isEmpty());
        long grandchild = Long.parseLong(execd.logs(id).strip());
        assertThat(ProcFs.isRunning(grandchild)).isTrue();
        assertThat(execd.status(id).running()).isTrue();

        execd.client().delete("/command?id=" + id);
        awaitGone(grandchild);
        assertThat(execd.status(id).exitCode()).isEqualTo(143);
    }

    @Test
    void interruptingACommandThatHasFinishedChangesNothing() throws Exception {
        String id = Events.initId(execd.client().stream("/command", RunCommandRequest.of("exit 4")));

        assertThat(execd.client().delete("/command?id=" + id).status()).isEqualTo(200);

        CommandStatus status = execd.status(id);
        assertThat(status.exitCode()).isEqualTo(4);
        assertThat(status.error()).isEqualTo("command exited with code 4");
    }

    @Test
    void stoppingExecdKillsEveryRunningCommandGroupAndSession() throws Exception {
        long background;
        long foreground;
        long inSession;
        try (ExecdProcess own = ExecdProcess.start();
                LiveStream stream = LiveStream.open(own.client(), "/command", foreground(WITH_GRANDCHILD, null))) {
            ExecdClient ownClient = own.client();
            foreground = Long.parseLong(stream.nextStdout());
            String id = Events.initId(ownClient.stream(
                    "/command", new RunCommandRequest(WITH_GRANDCHILD, null, true, null, null, null, null)));
            await().atMost(Duration.ofSeconds(15))
                    .until(() ->
                            !ownClient.get("/command/" + id + "/logs").text().isEmpty());
            background = Long.parseLong(
                    ownClient.get("/command/" + id + "/logs").text().strip());
            String session = ownClient
                    .post("/session", Map.of())
                    .json(CreateSessionResponse.class)
                    .sessionId();
            inSession = Long.parseLong(Events.stdout(ownClient.stream(
                            "/session/" + session + "/run",
                            new RunInSessionRequest("sleep 1000 & echo $!", null, null)))
                    .getFirst());
            assertThat(List.of(background, foreground, inSession)).allMatch(ProcFs::isRunning);
            // stop execd while the stream is still connected, so that a disconnect does not do the killing
            own.close();
        }

        awaitGone(background);
        awaitGone(foreground);
        awaitGone(inSession);
    }
}
