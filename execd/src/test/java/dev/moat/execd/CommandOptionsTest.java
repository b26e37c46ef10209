package dev.moat.execd;

import static dev.moat.execd.Events.complete;
import static dev.moat.execd.Events.stdout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.moat.protocol.ExecEvent;
import dev.moat.protocol.RunCommandRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code cwd}, {@code envs}, {@code uid} and {@code gid} of {@code POST /command}. */
class CommandOptionsTest {

    private static final int NOBODY = 65534;

    @RegisterExtension
    static final SharedExecd execd = new SharedExecd(Map.of("EXECD_TEST_INHERITED", "from-execd"));

    private static List<ExecEvent> run(String command, String cwd, Integer uid, Integer gid, Map<String, String> envs)
            throws Exception {
        return execd.client().stream("/command", new RunCommandRequest(command, cwd, false, null, uid, gid, envs));
    }

    private static void assumeRootAndNobody() {
        assumeTrue(
                "root".equals(System.getProperty("user.name")),
                "switching uid needs execd to run as root; this test runs as " + System.getProperty("user.name"));
        assumeTrue(UnixAccount.byUid(NOBODY).isPresent(), "/etc/passwd has no user nobody (65534)");
    }

    @Test
    void cwdIsTheCommandsWorkingDirectory() throws Exception {
        Path directory = Files.createDirectories(execd.directory().resolve("work dir"));

        assertThat(stdout(run("pwd", directory.toString(), null, null, null))).containsExactly(directory.toString());
    }

    @Test
    void withoutCwdTheCommandRunsInExecdsDirectory() throws Exception {
        assertThat(stdout(run("pwd", null, null, null, null)))
                .containsExactly(execd.directory().toRealPath().toString());
    }

    @Test
    void envsAreAddedOnTopOfExecdsEnvironment() throws Exception {
        List<ExecEvent> events = run(
                "echo $GREETING; echo $EXECD_TEST_INHERITED; echo ${PATH:+path-kept}",
                null,
                null,
                null,
                Map.of("GREETING", "hello world", "EXECD_TEST_INHERITED", "overridden"));

        assertThat(stdout(events)).containsExactly("hello world", "overridden", "path-kept");
    }

    @Test
    void uidRunsTheCommandAsThatUserWithItsPrimaryGroupAndHome() throws Exception {
        assumeRootAndNobody();
        UnixAccount nobody = UnixAccount.byUid(NOBODY).orElseThrow();

        List<ExecEvent> events = run("id -u; id -g; id -G; echo $HOME $USER", null, NOBODY, null, null);

        assertThat(stdout(events))
                .containsExactly(
                        "65534",
                        Integer.toString(nobody.gid()),
                        Integer.toString(nobody.gid()),
                        nobody.home() + " " + nobody.name());
        complete(events);
    }

    @Test
    void uidWithGidRunsWithExactlyThatGroup() throws Exception {
        assumeRootAndNobody();

        List<ExecEvent> events = run("id -u; id -g; id -G", null, NOBODY, 100, null);

        assertThat(stdout(events)).containsExactly("65534", "100", "100");
    }

    @Test
    void aUserCannotReachWhatOnlyRootMay() throws Exception {
        assumeRootAndNobody();

        List<ExecEvent> events = run("cat /etc/shadow", null, NOBODY, null, null);

        assertThat(Events.error(events).evalue()).isEqualTo("1");
        assertThat(Events.stderr(events)).singleElement().asString().contains("Permission denied");
    }

    @Test
    void backgroundCommandsTakeTheSameOptions() throws Exception {
        assumeRootAndNobody();
        Path directory = Files.createDirectories(execd.directory().resolve("bg"));

        String id = Events.initId(execd.client().stream(
                "/command",
                new RunCommandRequest(
                        "pwd; id -u; echo $X", directory.toString(), true, null, NOBODY, null, Map.of("X", "y"))));

        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(15))
                .until(() -> !execd.status(id).running());
        assertThat(execd.logs(id)).isEqualTo(directory + "\n65534\ny\n");
    }
}
