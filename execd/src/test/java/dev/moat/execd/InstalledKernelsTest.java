package dev.moat.execd;

import static dev.moat.execd.CodeApi.assertCompleted;
import static dev.moat.execd.CodeApi.error;
import static dev.moat.execd.CodeApi.stdout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moat.http.Json;
import dev.moat.protocol.CodeContext;
import dev.moat.protocol.ExecEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kernelspecs beyond the system's python3, found through {@code JUPYTER_PATH}: a kernel of another language (here
 * ipykernel under the made-up language {@code calc}) and one that wants interrupts as messages.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class InstalledKernelsTest {

    private static Path jupyterPath;

    @RegisterExtension
    static final PythonExecd execd = new PythonExecd(InstalledKernelsTest::installKernels);

    /** Installs the test's kernelspecs in a fresh directory and points execd's {@code JUPYTER_PATH} at it. */
    private static Map<String, String> installKernels() throws Exception {
        jupyterPath = Files.createTempDirectory("jupyter-path-");
        installKernel("calc", "calc", "signal");
        installKernel("pymsg", "python", "message");
        installKernel(
                "broken", "broken", "signal", "/bin/sh", "-c", "echo 'no such module: broken_kernel' >&2; exit 4");
        return Map.of("JUPYTER_PATH", jupyterPath.toString());
    }

    @AfterAll
    static void removeKernels() throws Exception {
        if (jupyterPath != null) {
            TestFiles.deleteRecursively(jupyterPath);
        }
    }

    private static void installKernel(String name, String language, String interruptMode, String... argv)
            throws Exception {
        List<String> command = argv.length > 0
                ? List.of(argv)
                : List.of("/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}");
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("argv", command);
        spec.put("display_name", name);
        spec.put("language", language);
        spec.put("interrupt_mode", interruptMode);
        spec.put("env", Map.of("MOAT_TEST_KERNEL", name));
        Path directory = Files.createDirectories(jupyterPath.resolve("kernels").resolve(name));
        Files.write(directory.resolve("kernel.json"), Json.mapper().writeValueAsBytes(spec));
    }

    @Test
    void kernelOfAnotherLanguageIsFoundAndListedUnderItsLanguage() throws Exception {
        String context = execd.code().createContext("calc");

        List<ExecEvent> events = execd.code().run(context, "import os\nprint(6 * 7, os.environ['MOAT_TEST_KERNEL'])");

        assertCompleted(events);
        assertThat(stdout(events)).containsExactly("42 calc");
        assertThat(execd.code().list("?language=calc")).containsExactly(new CodeContext(context, "calc"));
        assertThat(execd.code().list("?language=python"))
                .extracting(CodeContext::id)
                .doesNotContain(context);
    }

    @Test
    void unknownLanguageMessageNamesEveryInstalledKernel() throws Exception {
        ExecdClient.Response response = execd.client().post("/code/context", new CodeContext(null, "cobol"));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.error().message()).contains("calc (calc)", "python (pymsg)", "python (python3)");
    }

    @Test
    void pythonStillMeansThePython3KernelWhenAnotherPythonKernelExists() throws Exception {
        String context = execd.code().createContext("python");

        List<ExecEvent> events =
                execd.code().run(context, "import os\nprint(os.environ.get('MOAT_TEST_KERNEL', 'system'))");

        assertThat(stdout(events)).containsExactly("system");
    }

    @Test
    void messageInterruptModeInterruptsWithInterruptRequest() throws Exception {
        String context = execd.code().createContext("pymsg");
        List<ExecEvent> events =
                execd.code().runInBackground(context, "print('started', flush=True)\nwhile True: pass", event -> false);
        await().atMost(Duration.ofSeconds(60)).until(() -> stdout(events).contains("started"));

        assertThat(execd.client().delete("/code?id=" + context).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(30)).until(() -> events.stream().anyMatch(ExecEvent::terminal));
        assertThat(error(events).ename()).isEqualTo("KeyboardInterrupt");
    }

    @Test
    void languageThatContradictsTheContextIs400() throws Exception {
        String context = execd.code().createContext("calc");

        ExecdClient.Response response = execd.client()
                .post("/code", Map.of("context", Map.of("id", context, "language", "python"), "code", "1"));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.error().code()).isEqualTo("INVALID_REQUEST_BODY");
        assertThat(response.error().message())
                .contains(context)
                .contains("calc")
                .contains("python");
    }

    @Test
    void kernelThatCannotStartIs500WithWhatItSaid() throws Exception {
        ExecdClient.Response response = execd.client().post("/code/context", new CodeContext(null, "broken"));

        assertThat(response.status()).isEqualTo(500);
        assertThat(response.error().code()).isEqualTo("RUNTIME_ERROR");
        assertThat(response.error().message())
                .contains("broken")
                .contains("exited with code 4")
                .contains("no such module: broken_kernel");
        assertThat(execd.code().list("")).extracting(CodeContext::language).doesNotContain("broken");
    }
}
