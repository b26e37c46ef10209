package dev.moat.execd;

import static dev.moat.execd.CodeApi.assertCompleted;
import static dev.moat.execd.CodeApi.error;
import static dev.moat.execd.CodeApi.results;
import static dev.moat.execd.CodeApi.stderr;
import static dev.moat.execd.CodeApi.stdout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moat.protocol.CodeContext;
import dev.moat.protocol.ExecEvent;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Running cells in python kernels: what each kind of output becomes on the event stream. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CodeRunTest {

    @RegisterExtension
    static final PythonExecd execd = new PythonExecd();

    private static String context;

    @BeforeAll
    static void createContext() throws Exception {
        context = execd.code().createContext("python");
    }

    @Test
    void expressionValueIsResultWithTextPlain() throws Exception {
        List<ExecEvent> events = execd.code().run(context, "1+1");

        assertCompleted(events);
        assertThat(events.getFirst())
                .isEqualTo(new ExecEvent.Init(context, events.getFirst().timestamp()));
        assertThat(results(events)).singleElement().satisfies(result -> {
            assertThat(result.results()).containsEntry("text/plain", "2");
            assertThat(result.executionCount()).isPositive();
        });
        assertThat(((ExecEvent.Complete) events.getLast()).executionTime()).isNotNegative();
    }

    @Test
    void ipykernelKeepsNoSqliteHistoryButInAndOutStillWork() throws Exception {
        String own = execd.code().createContext("python");
        execd.code().run(own, "6*7");
        List<ExecEvent> events = execd.code().run(own, "(get_ipython().history_manager.enabled, In[1], Out[1], _)");

        assertCompleted(events);
        assertThat(results(events))
                .singleElement()
                .satisfies(r -> assertThat(r.results()).containsEntry("text/plain", "(False, '6*7', 42, 42)"));
    }

    @Test
    void printedLinesAreOneEventEachOnTheirStream() throws Exception {
        List<ExecEvent> events = execd.code().run(context, """
                import sys
                print("first\\nsecond")
                print("oops", file=sys.stderr)
                print("unfinished", end="")
                """);

        assertCompleted(events);
        assertThat(stdout(events)).containsExactly("first", "second", "unfinished");
        assertThat(stderr(events)).containsExactly("oops");
    }

    @Test
    void stateAndExecutionCountCarryOverBetweenCells() throws Exception {
        String own = execd.code().createContext("python");
        List<ExecEvent> first = execd.code().run(own, "counter = 41");
        List<ExecEvent> second = execd.code().run(own, "counter += 1\ncounter");

        assertCompleted(first);
        assertCompleted(second);
        assertThat(results(second))
                .singleElement()
                .satisfies(r -> assertThat(r.results()).containsEntry("text/plain", "42"));
        assertThat(executionCount(first)).isEqualTo(1);
        assertThat(executionCount(second)).isEqualTo(2);
    }

    @Test
    void matplotlibFigureArrivesAsBase64Png() throws Exception {
        List<ExecEvent> events = execd.code().run(context, """
                import matplotlib.pyplot as plt
                plt.plot([1, 2, 3], [4, 1, 9])
                plt.show()
                """);

        assertCompleted(events);
        ExecEvent.Result figure = results(events).stream()
                .filter(r -> r.results().containsKey("image/png"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no image/png result in " + events));
        byte[] png = Base64.getMimeDecoder().decode((String) figure.results().get("image/png"));
        assertThat(png).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
    }

    @Test
    void richDisplayKeepsEveryMimeTypeAsSent() throws Exception {
        List<ExecEvent> events = execd.code().run(context, """
                from IPython.display import display, HTML, JSON
                display(HTML("<b>bold</b>"))
                display(JSON({"answer": 42, "list": [1, 2]}))
                """);

        assertCompleted(events);
        assertThat(results(events)).hasSize(2);
        assertThat(results(events).get(0).results()).containsEntry("text/html", "<b>bold</b>");
        assertThat(results(events).get(1).results())
                .containsEntry("application/json", Map.of("answer", 42, "list", List.of(1, 2)));
    }

    @Test
    void exceptionEndsTheStreamWithItsNameValueAndTraceback() throws Exception {
        List<ExecEvent> events = execd.code().run(context, """
                print("before")
                def divide():
                    return 1 / 0
                divide()
                """);

        ExecEvent.ErrorDetail error = error(events);
        assertThat(error.ename()).isEqualTo("ZeroDivisionError");
        assertThat(error.evalue()).isEqualTo("division by zero");
        assertThat(error.traceback()).anyMatch(line -> line.contains("divide()"));
        assertThat(error.traceback()).noneMatch(line -> line.contains("\u001b["));
        assertThat(stdout(events)).containsExactly("before");
        // the failure does not poison the context: the next cell runs
        assertCompleted(execd.code().run(context, "print('still here')"));
    }

    @Test
    void longRunKeepsTheStreamAliveWithPings() throws Exception {
        long pause = CodeRoutes.PING_INTERVAL.toMillis() + 500;
        List<ExecEvent> events = execd.code().run(context, "import time\ntime.sleep(%d / 1000)".formatted(pause));

        assertCompleted(events);
        assertThat(events).anyMatch(ExecEvent.Ping.class::isInstance);
    }

    @Test
    void languageWithoutIdRunsInTheDefaultContextCreatedOnFirstUse() throws Exception {
        List<ExecEvent> first = execd.code().runInLanguage("python", "shared = 'kept'");
        List<ExecEvent> second = execd.code().runInLanguage("python", "print(shared)");

        assertCompleted(first);
        assertCompleted(second);
        assertThat(stdout(second)).containsExactly("kept");
        String defaultId = ((ExecEvent.Init) first.getFirst()).text();
        assertThat(((ExecEvent.Init) second.getFirst()).text()).isEqualTo(defaultId);
        assertThat(execd.code().list("?language=python")).contains(new CodeContext(defaultId, "python"));
    }

    @Test
    void codeWithoutContextRunsAsOneOffShellCommand() throws Exception {
        List<ExecEvent> ok = execd.client().stream("/code", Map.of("code", "echo \"Hello from shell\"; echo two"));
        List<ExecEvent> failed = execd.client().stream("/code", Map.of("code", "echo bad >&2; exit 3"));

        assertCompleted(ok);
        assertThat(stdout(ok)).containsExactly("Hello from shell", "two");
        // the same terminal event as POST /command gives for that exit
        assertThat(error(failed))
                .isEqualTo(new ExecEvent.ErrorDetail("CommandExecError", "3", List.of("command exited with code 3")));
        assertThat(stderr(failed)).containsExactly("bad");
    }

    @Test
    void concurrentRunsOnOneContextAreQueuedWithoutInterleaving() throws Exception {
        String own = execd.code().createContext("python");
        String slowCell = """
                import time
                for i in range(5):
                    print("slow", i, flush=True)
                    time.sleep(0.1)
                """;
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<List<ExecEvent>> slow = clients.submit(() -> execd.code().run(own, slowCell));
            Future<List<ExecEvent>> quick = clients.submit(() -> execd.code().run(own, "print('quick')"));

            List<ExecEvent> slowEvents = slow.get();
            List<ExecEvent> quickEvents = quick.get();
            assertCompleted(slowEvents);
            assertCompleted(quickEvents);
            assertThat(stdout(slowEvents)).containsExactly("slow 0", "slow 1", "slow 2", "slow 3", "slow 4");
            assertThat(stdout(quickEvents)).containsExactly("quick");
            assertThat(List.of(executionCount(slowEvents), executionCount(quickEvents)))
                    .containsExactlyInAnyOrder(1, 2);
        }
    }

    @Test
    void twoContextsRunAtTheSameTime() throws Exception {
        String waiter = execd.code().createContext("python");
        String signaller = execd.code().createContext("python");
        String flag = execd.process().directory().resolve("flag").toString();
        // the waiter can only finish if the signaller runs while it is still running
        String waitCell = """
                import os, time
                deadline = time.time() + 60
                while not os.path.exists(%s) and time.time() < deadline:
                    time.sleep(0.02)
                print("seen" if os.path.exists(%s) else "never seen")
                """.formatted(pythonString(flag), pythonString(flag));
        List<ExecEvent> waiting = execd.code().runInBackground(waiter, waitCell, event -> false);
        await().until(() -> waiting.stream().anyMatch(ExecEvent.ExecutionCount.class::isInstance));

        assertCompleted(execd.code().run(signaller, "open(%s, 'w').close()".formatted(pythonString(flag))));

        await().until(() -> waiting.stream().anyMatch(ExecEvent::terminal));
        assertCompleted(waiting);
        assertThat(stdout(waiting)).containsExactly("seen");
    }

    @Test
    void badRunBodiesAre400() throws Exception {
        Map<String, String> bodies = Map.of(
                "", "empty",
                "{", "malformed",
                "{}", "'code' is required",
                "{\"code\":\"\"}", "empty",
                "{\"code\":\"   \"}", "empty",
                "{\"code\":5}", "code",
                "{\"code\":[\"1\"]}", "code",
                "{\"code\":\"1\",\"context\":\"python\"}", "context",
                "{\"code\":\"1\",\"context\":{\"language\":\"cobol\"}}", "cobol",
                "{\"code\":\"1\",\"context\":{\"id\":7}}", "id");
        for (Map.Entry<String, String> body : bodies.entrySet()) {
            ExecdClient.Response response = execd.client().postRaw("/code", body.getKey());
            assertThat(response.status()).as(body.getKey()).isEqualTo(400);
            assertThat(response.error().code()).as(body.getKey()).isEqualTo("INVALID_REQUEST_BODY");
            assertThat(response.error().message()).as(body.getKey()).contains(body.getValue());
        }
    }

    @Test
    void idWithItsOwnLanguageByAnyNameRunsInThatContext() throws Exception {
        List<ExecEvent> events = execd.client().stream(
                "/code", Map.of("context", Map.of("id", context, "language", "python3"), "code", "1"));

        assertCompleted(events);
        assertThat(((ExecEvent.Init) events.getFirst()).text()).isEqualTo(context);
    }

    private static int executionCount(List<ExecEvent> events) {
        return events.stream()
                .filter(ExecEvent.ExecutionCount.class::isInstance)
                .map(e -> ((ExecEvent.ExecutionCount) e).executionCount())
                .reduce((a, b) -> {
                    throw new AssertionError("more than one execution_count event in " + events);
                })
                .orElseThrow(() -> new AssertionError("no execution_count event in " + events));
    }

    private static String pythonString(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
