package dev.moat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official OpenSandbox JS SDK ({@code @alibaba-group/opensandbox} from npm), unchanged, against the real server:
 * create, a command, a file written and read back, list, kill. The package is installed once per machine into the
 * shared test home ({@code $MOAT_TEST_HOME/npm}). Its code-interpreter package is not on the npm registry this
 * project reaches, so it is not tested.
 */
class OpenSandboxJsSdkTest {

    static final String PACKAGE = "@alibaba-group/opensandbox@0.1.11";

    private static ServerProcess server;
    private static Path npm;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(commandWorks("node", "--version"), "node is not installed (apt-get install nodejs)");
        assumeTrue(commandWorks("npm", "--version"), "npm is not installed (apt-get install npm)");
        npm = installSdk();
        server = ServerProcess.start(Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static boolean commandWorks(String... command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Installs the SDK into the shared test home unless it is there; answers the directory to run scripts in. */
    private static synchronized Path installSdk() throws Exception {
        Path directory = TestHome.shared().resolve("npm");
        Files.createDirectories(directory);
        if (!Files.isDirectory(directory.resolve("node_modules/@alibaba-group/opensandbox"))) {
            if (!Files.exists(directory.resolve("package.json"))) {
                Files.writeString(directory.resolve("package.json"), "{\"name\":\"moat-test-npm\",\"private\":true}\n");
            }
            Process install = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", PACKAGE)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(install.waitFor(300, TimeUnit.SECONDS) && install.exitValue() == 0)
                    .as("npm install %s:\n%s", PACKAGE, output)
                    .isTrue();
        }
        return directory;
    }

    @Test
    void theOfficialJsSdkCreatesRunsWritesReadsAndKills() throws Exception {
        Path script = npm.resolve("opensandbox_smoke.mjs");
        try (InputStream in = getClass().getResourceAsStream("opensandbox_smoke.mjs")) {
            Files.write(script, in.readAllBytes());
        }
        ProcessBuilder builder = new ProcessBuilder("node", script.toString())
                .directory(npm.toFile())
                .redirectErrorStream(true);
        builder.environment().put("OPEN_SANDBOX_DOMAIN", "127.0.0.1:" + server.port());
        builder.environment().put("OPEN_SANDBOX_API_KEY", ServerProcess.API_KEY);
        Process node = builder.start();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(120, TimeUnit.SECONDS)).isTrue();

        assertThat(node.exitValue())
                .as("node said:\n%s\nserver log:\n%s", output, server.log())
                .isZero();
        List<String> lines = output.lines().toList();
        assertThat(lines).anyMatch(line -> line.startsWith("created agent-runtime-container-"));
        assertThat(lines)
                .contains(
                        "stdout hello from Linux",
                        "read written by the js sdk",
                        "state Running",
                        "listed true",
                        "killed");
    }
}
