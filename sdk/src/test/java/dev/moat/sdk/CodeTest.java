package dev.moat.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Stateful Python through the SDK, against a real execd with real Jupyter kernels. */
class CodeTest {

    @RegisterExtension
    static final RealExecd real = RealExecd.serving("/code/contexts/probe", "code");

    private final Code code = real.client().code();

    @BeforeAll
    static void needsAPythonKernel() {
        assumeTrue(
                Stream.of("/usr/local/share/jupyter", "/usr/share/jupyter")
                        .anyMatch(root -> Files.isRegularFile(Path.of(root, "kernels", "python3", "kernel.json"))),
                "no python3 Jupyter kernel is installed here (apt-get install python3-ipykernel)");
    }

    @Test
    void runsPythonAndReturnsTheValueAsText() {
        Execution execution = code.run("6 * 7");

        assertThat(execution.succeeded()).isTrue();
        assertThat(execution.text()).hasValue("42");
        assertThat(execution.executionCount()).isPresent();
        assertThat(execution.exitCode()).isEmpty();
    }

    @Test
    void aContextKeepsItsVariablesBetweenRuns() {
        CodeContext context = code.createContext("python");
        try {
            assertThat(context.id()).isPresent();
            assertThat(context.language()).isEqualTo("python");

            code.run("total = 41", context);
            assertThat(code.run("total + 1", context).text()).hasValue("42");

            assertThat(code.contexts("python")).contains(context);
            assertThat(code.context(context.id().orElseThrow())).isEqualTo(context);
        } finally {
            code.deleteContext(context.id().orElseThrow());
        }

        SandboxApiException gone = catchThrowableOfType(
                SandboxApiException.class, () -> code.context(context.id().orElseThrow()));
        assertThat(gone.status()).isEqualTo(404);
    }

    @Test
    void printedOutputStreamsToTheHandler() {
        StringBuilder seen = new StringBuilder();

        Execution execution = code.run(
                "for i in range(3):\n    print('line', i)",
                CodeContext.defaultFor("python"),
                ExecutionHandler.onStdout(text -> seen.append(text).append('\n')));

        assertThat(execution.stdoutText()).contains("line 0").contains("line 1").contains("line 2");
        assertThat(seen.toString()).contains("line 0").contains("line 2");
    }

    @Test
    void anExceptionIsReportedWithItsTraceback() {
        Execution execution = code.run("def divide():\n    return 1 / 0\ndivide()");

        assertThat(execution.succeeded()).isFalse();
        ExecutionError error = execution.error().orElseThrow();
        assertThat(error.name()).isEqualTo("ZeroDivisionError");
        assertThat(error.value()).contains("division by zero");
        assertThat(String.join("\n", error.traceback())).contains("divide");
    }

    @Test
    void richResultsCarryTheirMimeBundle() throws Exception {
        BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        image.setRGB(1, 1, 0x336699);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        String base64 = Base64.getEncoder().encodeToString(png.toByteArray());

        Execution execution = code.run("import base64\nfrom IPython.display import Image, HTML, display\n"
                + "display(HTML('<b>bold</b>'))\n"
                + "Image(data=base64.b64decode('" + base64 + "'), format='png')");

        List<ExecutionResult> results = execution.results();
        assertThat(results).anySatisfy(result -> assertThat(result.html()).hasValue("<b>bold</b>"));
        assertThat(results).anySatisfy(result -> assertThat(result.png()).hasValue(png.toByteArray()));
    }

    @Test
    void interruptStopsALongCellAndKeepsTheContext() throws Exception {
        CodeContext context = code.createContext("python");
        try {
            code.run("kept = 'still here'", context);
            AtomicBoolean started = new AtomicBoolean();
            CompletableFuture<Execution> running = CompletableFuture.supplyAsync(() -> code.run(
                    "import time\nprint('sleeping', flush=True)\ntime.sleep(600)",
                    context,
                    ExecutionHandler.onStdout(text -> started.set(true))));
            await().atMost(Duration.ofSeconds(60)).untilTrue(started);

            code.interrupt(context.id().orElseThrow());

            Execution interrupted = running.get(60, TimeUnit.SECONDS);
            assertThat(interrupted.error().orElseThrow().name()).isEqualTo("KeyboardInterrupt");
            assertThat(code.run("kept", context).text()).hasValue("'still here'");
        } finally {
            code.deleteContext(context.id().orElseThrow());
        }
    }
}
