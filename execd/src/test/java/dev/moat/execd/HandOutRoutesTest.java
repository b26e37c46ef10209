package dev.moat.execd;

import static dev.moat.execd.CodeApi.assertCompleted;
import static dev.moat.execd.CodeApi.assumePythonKernel;
import static dev.moat.execd.CodeApi.stdout;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.protocol.CodeContext;
import dev.moat.protocol.CreateSessionRequest;
import dev.moat.protocol.CreateSessionResponse;
import dev.moat.protocol.ExecEvent;
import dev.moat.protocol.RunCodeRequest;
import dev.moat.protocol.RunCommandRequest;
import dev.moat.protocol.RunInSessionRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The routes the Moat server calls when it warms a sandbox and hands it out: {@code POST /moat/warm-kernel} and
 * {@code POST /moat/environment}. Added variables are process-wide, so this class has an execd of its own.
 */
class HandOutRoutesTest {

    private static final String VALUE = "it's \"quoted\" $HOME é";

    @RegisterExtension
    static final SharedExecd execd = new SharedExecd();

    private static CodeApi code() {
        return new CodeApi(execd.client());
    }

    @Test
    void warmKernelStartsTheDefaultPythonContextThatLaterRunsUse() throws Exception {
        assumePythonKernel();
        ExecdClient.Response warmed = execd.client().postRaw("/moat/warm-kernel", "");
        assertThat(warmed.status()).as(warmed.text()).isEqualTo(200);
        String id = warmed.json(CodeContext.class).id();

        assertThat(code().list("?language=python")).extracting(CodeContext::id).contains(id);
        List<ExecEvent> events = code().runInLanguage("python", "1+1");
        assertCompleted(events);
        assertThat(((ExecEvent.Init) events.getFirst()).text()).isEqualTo(id);
        assertThat(execd.client()
                        .postRaw("/moat/warm-kernel", "")
                        .json(CodeContext.class)
                        .id())
                .as("a second call finds the same kernel")
                .isEqualTo(id);
    }

    @Test
    void addedVariablesReachLaterCommandsSessionsKernelsAndTheRunningKernelSilently() throws Exception {
        assumePythonKernel();
        String running = code().createContext("python");
        List<ExecEvent> before = code().run(running, "1");
        int countBefore = executionCount(before);

        ExecdClient.Response added =
                execd.client().post("/moat/environment", Map.of("env", Map.of("MOAT_ADDED", VALUE)));
        assertThat(added.status()).as(added.text()).isEqualTo(200);

        List<ExecEvent> inRunning = code().run(running, "import os; print(os.environ['MOAT_ADDED'])");
        assertThat(stdout(inRunning)).containsExactly(VALUE);
        assertThat(executionCount(inRunning))
                .as("the silent update did not count as a cell")
                .isEqualTo(countBefore + 1);
        assertThat(stdout(code().run(code().createContext("python"), "import os; print(os.environ['MOAT_ADDED'])")))
                .containsExactly(VALUE);
        assertThat(Events.stdout(execd.client().stream("/command", RunCommandRequest.of("echo \"$MOAT_ADDED\""))))
                .containsExactly(VALUE);
        assertThat(Events.stdout(execd.client().stream(
                        "/command",
                        new RunCommandRequest(
                                "echo \"$MOAT_ADDED\"", null, null, null, null, null, Map.of("MOAT_ADDED", "own")))))
                .as("a command's own envs win")
                .containsExactly("own");
        assertThat(Events.stdout(execd.client().stream("/code", new RunCodeRequest(null, "echo \"$MOAT_ADDED\""))))
                .containsExactly(VALUE);
        String session = execd.client()
                .post("/session", new CreateSessionRequest(null))
                .json(CreateSessionResponse.class)
                .sessionId();
        assertThat(Events.stdout(execd.client().stream(
                        "/session/" + session + "/run", new RunInSessionRequest("echo \"$MOAT_ADDED\"", null, null))))
                .containsExactly(VALUE);
    }

    @Test
    void badEnvironmentBodiesAre400WithACode() throws Exception {
        for (String body : List.of(
                "", "not json", "{}", "{\"env\":\"x\"}", "{\"env\":{\"A=B\":\"x\"}}", "{\"env\":{\"A\":null}}")) {
            ExecdClient.Response response = execd.client().postRaw("/moat/environment", body);
            assertThat(response.status()).as(body + " → " + response.text()).isEqualTo(400);
            assertThat(response.error().code()).as(body).isEqualTo("INVALID_REQUEST_BODY");
        }
    }

    private static int executionCount(List<ExecEvent> events) {
        assertCompleted(events);
        return events.stream()
                .filter(event -> event instanceof ExecEvent.ExecutionCount)
                .map(event -> ((ExecEvent.ExecutionCount) event).executionCount())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no execution_count in " + events));
    }
}
