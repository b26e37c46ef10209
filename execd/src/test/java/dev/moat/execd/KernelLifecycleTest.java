package dev.moat.execd;

import static dev.moat.execd.CodeApi.assertCompleted;
import static dev.moat.execd.CodeApi.error;
import static dev.moat.execd.CodeApi.stdout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moat.protocol.CodeContext;
import dev.moat.protocol.ExecEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Interrupts, disconnects, kernels that die or are deleted mid-run, and kernels outliving nothing. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KernelLifecycleTest {

    private static final String STARTED = "started";
    private static final String BUSY_LOOP = "print('" + STARTED + "', flush=True)\nwhile True: pass";

    @RegisterExtension
    static final PythonExecd execd = new PythonExecd();

    @Test
    void interruptStopsRunningCellWithKeyboardInterrupt() throws Exception {
        String context = execd.code().createContext("python");
        List<ExecEvent> events = execd.code().runInBackground(context, BUSY_LOOP, event -> false);
        awaitStdout(events, STARTED);

        assertThat(execd.client().delete("/code?id=" + context).status()).isEqualTo(200);

        awaitTerminal(events);
        assertThat(error(events).ename()).isEqualTo("KeyboardInterrupt");
        assertCompleted(execd.code().run(context, "print('alive')"));
    }

    @Test
    void interruptWithNothingRunningChangesNothing() throws Exception {
        String context = execd.code().createContext("python");
        assertCompleted(execd.code().run(context, "kept = 1"));

        assertThat(execd.client().delete("/code?id=" + context).status()).isEqualTo(200);

        List<ExecEvent> after = execd.code().run(context, "print(kept)");
        assertCompleted(after);
        assertThat(stdout(after)).containsExactly("1");
    }

    @Test
    void clientThatDisconnectsInterruptsItsCell() throws Exception {
        String context = execd.code().createContext("python");
        List<ExecEvent> abandoned = execd.code()
                .runInBackground(
                        context,
                        BUSY_LOOP,
                        event -> event instanceof ExecEvent.Stdout out
                                && out.text().equals(STARTED));
        awaitStdout(abandoned, STARTED);

        // queued behind the busy loop: it can only run once the loop was interrupted
        List<ExecEvent> next = execd.code().run(context, "print('next')");

        assertCompleted(next);
        assertThat(stdout(next)).containsExactly("next");
    }

    @Test
    void kernelThatDiesMidRunEndsStreamWithErrorAndContextIsGone() throws Exception {
        String context = execd.code().createContext("python");

        List<ExecEvent> events = execd.code().run(context, "import os\nos._exit(7)");

        ExecEvent.ErrorDetail error = error(events);
        assertThat(error.ename()).isEqualTo("KernelDied");
        assertThat(error.evalue()).contains(context).contains("exited with code 7");
        assertThat(execd.client().get("/code/contexts/" + context).status()).isEqualTo(404);
        assertThat(execd.code().list("")).extracting(CodeContext::id).doesNotContain(context);
        assertThat(execd.client()
                        .post("/code", Map.of("context", Map.of("id", context), "code", "1"))
                        .status())
                .isEqualTo(404);
    }

    @Test
    void deletingContextEndsTheCellRunningInItAndKillsTheKernel() throws Exception {
        String context = execd.code().createContext("python");
        long pid = CodeApi.kernelPid(context).orElseThrow();
        List<ExecEvent> events = execd.code().runInBackground(context, BUSY_LOOP, event -> false);
        awaitStdout(events, STARTED);

        assertThat(execd.client().delete("/code/contexts/" + context).status()).isEqualTo(200);

        awaitTerminal(events);
        assertThat(error(events).ename()).isEqualTo("ContextDeleted");
        assertThat(CodeApi.processGone(pid)).isTrue();
    }

    @Test
    void programsStartedByACellDieWithTheirContext() throws Exception {
        String context = execd.code().createContext("python");
        List<ExecEvent> events = execd.code()
                .run(context, "import subprocess\nchild = subprocess.Popen(['sleep', '600'])\nprint(child.pid)");
        long child = Long.parseLong(stdout(events).getFirst());

        assertThat(execd.client().delete("/code/contexts/" + context).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).until(() -> CodeApi.processGone(child));
    }

    @Test
    void shellRunIsInterruptedByTheIdOfItsInitEvent() throws Exception {
        List<ExecEvent> events = execd.code().runInBackground(null, "echo " + STARTED + "; sleep 600", event -> false);
        awaitStdout(events, STARTED);
        String id = ((ExecEvent.Init) events.getFirst()).text();

        assertThat(execd.client().delete("/code?id=" + id).status()).isEqualTo(200);

        awaitTerminal(events);
        assertThat(error(events).ename()).isEqualTo("CommandExecError");
        assertThat(error(events).evalue()).isEqualTo(Integer.toString(128 + 15));
    }

    @Test
    void stoppingExecdShutsDownEveryKernel() throws Exception {
        List<Long> pids;
        try (ExecdProcess own = ExecdProcess.start()) {
            CodeApi api = new CodeApi(own.client());
            pids = List.of(
                    CodeApi.kernelPid(api.createContext("python")).orElseThrow(),
                    CodeApi.kernelPid(api.createContext("python")).orElseThrow());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> pids.stream().allMatch(CodeApi::processGone));
    }

    @Test
    void killedExecdTakesItsKernelsWithIt() throws Exception {
        long pid;
        Path connectionFile;
        try (ExecdProcess own = ExecdProcess.start()) {
            String context = new CodeApi(own.client()).createContext("python");
            pid = CodeApi.kernelPid(context).orElseThrow();
            connectionFile = CodeApi.connectionFile(context).orElseThrow();
            own.process().destroyForcibly().waitFor();
        }
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> CodeApi.processGone(pid));
        } finally {
            // a killed execd cannot remove its private directory of connection files
            TestFiles.deleteRecursively(connectionFile.getParent());
        }
    }

    @Test
    void warmKernelOptionStartsTheDefaultPythonContextInTheBackground() throws Exception {
        try (ExecdProcess own = ExecdProcess.start("--warm-kernel", "python")) {
            CodeApi api = new CodeApi(own.client());
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> api.list("?language=python").size() == 1);
            String warm = api.list("?language=python").getFirst().id();

            List<ExecEvent> events = api.runInLanguage("python", "1+1");

            assertCompleted(events);
            assertThat(((ExecEvent.Init) events.getFirst()).text()).isEqualTo(warm);
        }
    }

    private static void awaitStdout(List<ExecEvent> events, String line) {
        await().atMost(Duration.ofSeconds(60)).until(() -> stdout(events).contains(line));
    }

    private static void awaitTerminal(List<ExecEvent> events) {
        await().atMost(Duration.ofSeconds(30)).until(() -> events.stream().anyMatch(ExecEvent::terminal));
    }
}
