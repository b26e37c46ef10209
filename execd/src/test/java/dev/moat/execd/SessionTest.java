package dev.moat.execd;

import static dev.moat.execd.Events.complete;
import static dev.moat.execd.Events.error;
import static dev.moat.execd.Events.stderr;
import static dev.moat.execd.Events.stdout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moat.protocol.CreateSessionRequest;
import dev.moat.protocol.CreateSessionResponse;
import dev.moat.protocol.ExecEvent;
import dev.moat.protocol.RunInSessionRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bash sessions: one shell whose state carries over between runs, each run streamed like a command. */
class SessionTest {

    @RegisterExtension
    static final SharedExecd execd = new SharedExecd();

    private static String createSession(String cwd) throws Exception {
        ExecdClient.Response response = execd.client().post("/session", new CreateSessionRequest(cwd));
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json(CreateSessionResponse.class).sessionId();
    }

    private static List<ExecEvent> run(String session, String command) throws Exception {
        return run(session, new RunInSessionRequest(command, null, null));
    }

    private static List<ExecEvent> run(String session, RunInSessionRequest request) throws Exception {
        return execd.client().stream("/session/" + session + "/run", request);
    }

    /** Runs {@code true} in the session and returns the whole answer, whatever its status. */
    private static ExecdClient.Response tryRun(String session) throws Exception {
        return execd.client().post("/session/" + session + "/run", new RunInSessionRequest("true", null, null));
    }

    private static LiveStream openRun(String session, String command) throws Exception {
        return LiveStream.open(
                execd.client(), "/session/" + session + "/run", new RunInSessionRequest(command, null, null));
    }

    @Test
    void variablesFunctionsAliasesAndDirectoryCarryOverBetweenRuns() throws Exception {
        String session = createSession(null);
        Path directory = Files.createDirectories(execd.directory().resolve("session-state"));

        complete(run(
                session, "COUNT=41; greet() { echo \"hello $1\"; }; alias shout='echo LOUD'; cd '" + directory + "'"));
        List<ExecEvent> events = run(session, "echo $((COUNT + 1)); greet moat; shout; pwd");

        assertThat(stdout(events)).containsExactly("42", "hello moat", "LOUD", directory.toString());
        complete(events);
    }

    @Test
    void eachRunStreamsLikeACommandWithItsOwnExitCode() throws Exception {
        String session = createSession(null);

        List<ExecEvent> failed = run(session, "echo out; echo err >&2; printf 'no newline'; false");
        assertThat(Events.initId(failed)).isEqualTo(session);
        assertThat(stdout(failed)).containsExactly("out", "no newline");
        assertThat(stderr(failed)).containsExactly("err");
        assertThat(error(failed).ename()).isEqualTo("CommandExecError");
        assertThat(error(failed).evalue()).isEqualTo("1");

        List<ExecEvent> succeeded = run(session, "echo fine");
        assertThat(stdout(succeeded)).containsExactly("fine");
        complete(succeeded);
    }

    @Test
    void errorsOfTheShellItselfGoToStderrOfTheRun() throws Exception {
        String session = createSession(null);

        List<ExecEvent> missing = run(session, "no_such_command_here");
        assertThat(stderr(missing)).singleElement().asString().contains("no_such_command_here: command not found");
        assertThat(error(missing).evalue()).isEqualTo("127");

        List<ExecEvent> syntax = run(session, "echo 'unterminated");
        assertThat(stderr(syntax)).singleElement().asString().contains("unexpected EOF");
        assertThat(Events.terminal(syntax)).isInstanceOf(ExecEvent.Error.class);
        complete(run(session, "true"));
    }

    @Test
    void commandsInASessionReadEndOfInputFromStdin() throws Exception {
        String session = createSession(null);

        List<ExecEvent> events = run(session, "cat; read line || echo no-input");

        assertThat(stdout(events)).containsExactly("no-input");
    }

    @Test
    void theCwdOfCreateIsWhereTheSessionStarts() throws Exception {
        Path directory = Files.createDirectories(execd.directory().resolve("session-start"));

        String session = createSession(directory.toString());

        assertThat(stdout(run(session, "pwd"))).containsExactly(directory.toString());
    }

    @Test
    void theCwdOfARunAppliesToThatRunOnly() throws Exception {
        Path start = Files.createDirectories(execd.directory().resolve("run-home"));
        Path elsewhere = Files.createDirectories(execd.directory().resolve("run-elsewhere"));
        String session = createSession(start.toString());

        assertThat(stdout(run(session, new RunInSessionRequest("pwd; X=kept", elsewhere.toString(), null))))
                .containsExactly(elsewhere.toString());
        assertThat(stdout(run(session, "pwd; echo $X"))).containsExactly(start.toString(), "kept");
    }

    @Test
    void aTimeoutStopsTheRunLikeCtrlCAndTheSessionKeepsItsState() throws Exception {
        String session = createSession(null);
        complete(run(session, "KEPT=yes"));

        List<ExecEvent> timedOut =
                run(session, new RunInSessionRequest("echo started; sleep 1000; echo never", null, 500L));

        assertThat(stdout(timedOut)).containsExactly("started");
        assertThat(error(timedOut).evalue()).isEqualTo("130");
        assertThat(error(timedOut).traceback()).singleElement().asString().contains("timed out after 500 ms");
        assertThat(stdout(run(session, "echo $KEPT"))).containsExactly("yes");
    }

    @Test
    void aTimeoutStopsAShellLoopToo() throws Exception {
        String session = createSession(null);

        List<ExecEvent> timedOut = run(session, new RunInSessionRequest("while :; do :; done", null, 300L));

        assertThat(error(timedOut).evalue()).isEqualTo("130");
        complete(run(session, "true"));
    }

    @Test
    void aRunThatIgnoresCtrlCIsStoppedAndTheSessionStays() throws Exception {
        String session = createSession(null);

        List<ExecEvent> stubborn =
                run(session, new RunInSessionRequest("(trap '' INT; sleep 1000; echo never); echo after", null, 300L));

        assertThat(stdout(stubborn)).doesNotContain("never");
        assertThat(error(stubborn).traceback()).singleElement().asString().contains("timed out");
        assertThat(stdout(run(session, "echo alive"))).containsExactly("alive");
    }

    @Test
    void deleteCommandWithTheSessionIdInterruptsTheCurrentRun() throws Exception {
        String session = createSession(null);

        try (LiveStream stream = openRun(session, "echo go; sleep 1000")) {
            assertThat(stream.nextStdout()).isEqualTo("go");

            assertThat(execd.client().delete("/command?id=" + session).status()).isEqualTo(200);

            assertThat(error(stream.readToEnd()).evalue()).isEqualTo("130");
        }
        complete(run(session, "true"));
    }

    @Test
    void aClientThatDisconnectsHasItsRunInterruptedAndTheSessionStays() throws Exception {
        String session = createSession(null);
        long sleeper;
        try (LiveStream stream = openRun(session, "sh -c 'echo $$; exec sleep 1000'; echo never")) {
            sleeper = Long.parseLong(stream.nextStdout());
            stream.disconnect();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> !ProcFs.isRunning(sleeper));
        await().atMost(Duration.ofSeconds(30)).until(() -> tryRun(session).status() == 200);
    }

    @Test
    void aSecondRunWhileOneIsRunningIsRefused() throws Exception {
        String session = createSession(null);

        try (LiveStream stream = openRun(session, "echo busy; sleep 1000")) {
            stream.nextStdout();

            ExecdClient.Response second = tryRun(session);

            assertThat(second.status()).isEqualTo(409);
            assertThat(second.error().code()).isEqualTo("CONFLICT");
            assertThat(second.error().message()).contains(session);
            execd.client().delete("/command?id=" + session);
        }
    }

    @Test
    void exitEndsTheSessionAndTheRunSaysSo() throws Exception {
        String session = createSession(null);

        List<ExecEvent> events = run(session, "echo bye; exit 3");

        assertThat(stdout(events)).containsExactly("bye");
        assertThat(error(events).evalue()).isEqualTo("3");
        assertThat(error(events).traceback()).singleElement().asString().contains("has ended");
        await().atMost(Duration.ofSeconds(10)).until(() -> tryRun(session).status() == 404);
    }

    @Test
    void deleteKillsTheShellAndItsChildren() throws Exception {
        String session = createSession(null);
        long child = Long.parseLong(stdout(run(session, "sleep 1000 & echo $!")).getFirst());
        assertThat(ProcFs.isRunning(child)).isTrue();

        assertThat(execd.client().delete("/session/" + session).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).until(() -> !ProcFs.isRunning(child));
        ExecdClient.Response after = tryRun(session);
        assertThat(after.status()).isEqualTo(404);
        assertThat(after.error().code()).isEqualTo("SESSION_NOT_FOUND");
        assertThat(execd.client().delete("/session/" + session).status()).isEqualTo(404);
    }

    @Test
    void deletingASessionEndsItsRunningCommandAndTheRunSaysWhy() throws Exception {
        String session = createSession(null);

        try (LiveStream stream = openRun(session, "echo go; sleep 1000")) {
            stream.nextStdout();
            assertThat(execd.client().delete("/session/" + session).status()).isEqualTo(200);

            ExecEvent.ErrorDetail error = error(stream.readToEnd());
            assertThat(error.evalue()).isEqualTo("137");
            assertThat(error.traceback()).singleElement().asString().contains("the session was deleted");
        }
    }

    @Test
    void createTakesAnEmptyBody() throws Exception {
        ExecdClient.Response response = execd.client().send(execd.client().request("POST", "/session"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json(Map.class)).containsKey("session_id");
    }
}
