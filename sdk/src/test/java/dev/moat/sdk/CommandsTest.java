package dev.moat.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Commands, background commands and sessions through the SDK, against a real execd. */
class CommandsTest {

    @RegisterExtension
    static final RealExecd real = RealExecd.serving("/command/status/probe", "cmd");

    private final LocalExecd execd = real.execd();
    private final Commands commands = real.client().commands();

    @Test
    void runsACommandAndCollectsItsOutputLineByLine() {
        Execution execution = commands.run("printf 'one\\ntwo\\n'; echo oops >&2");

        assertThat(execution.stdout()).containsExactly("one", "two");
        assertThat(execution.stderr()).containsExactly("oops");
        assertThat(execution.succeeded()).isTrue();
        assertThat(execution.exitCode()).hasValue(0);
        assertThat(execution.id()).isNotEmpty();
        assertThat(execution.executionTime()).isPresent();
    }

    @Test
    void aFailingCommandReportsItsExitCodeWithoutThrowing() {
        Execution execution = commands.run("echo partial; exit 3");

        assertThat(execution.stdout()).containsExactly("partial");
        assertThat(execution.succeeded()).isFalse();
        assertThat(execution.exitCode()).hasValue(3);
        assertThat(execution.error().orElseThrow().name()).isEqualTo("CommandExecError");
    }

    @Test
    void streamsOutputToTheHandlerWhileTheCommandRuns() {
        // the command only finishes well if the handler saw its first line while it was still running
        Path go = execd.directory().resolve("go-" + System.nanoTime());
        String command = "echo first; for i in $(seq 1 1200); do [ -f '" + go + "' ] && break; sleep 0.05; done;"
                + " [ -f '" + go + "' ] || exit 7; echo second";
        List<String> seen = new ArrayList<>();

        Execution execution = commands.run(command, CommandOptions.defaults(), new ExecutionHandler() {
            @Override
            public void onStdout(String text) {
                seen.add(text);
                if (text.equals("first")) {
                    try {
                        Files.createFile(go);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        });

        assertThat(execution.exitCode()).hasValue(0);
        assertThat(seen).containsExactly("first", "second");
    }

    @Test
    void honoursWorkingDirectoryAndEnvironment() throws Exception {
        Path directory = Files.createDirectories(execd.directory().resolve("work dir"));

        Execution execution = commands.run(
                "pwd; echo \"$GREETING, $WHO\"",
                CommandOptions.defaults()
                        .withCwd(directory.toString())
                        .withEnv("GREETING", "hello")
                        .withEnv(java.util.Map.of("WHO", "wörld")));

        assertThat(execution.stdout()).containsExactly(directory.toString(), "hello, wörld");
    }

    @Test
    void aTimeoutStopsTheCommand() {
        Execution execution =
                commands.run("sleep 600", CommandOptions.defaults().withTimeout(Duration.ofSeconds(1)));

        assertThat(execution.succeeded()).isFalse();
        assertThat(execution.exitCode()).isNotEqualTo(java.util.OptionalInt.of(0));
    }

    @Test
    void runsAsAnotherUserWhenAsked() {
        assumeTrue("root".equals(System.getProperty("user.name")), "switching users needs root");

        Execution execution =
                commands.run("id -u; id -g", CommandOptions.defaults().withUser(65534, 65534));

        assertThat(execution.stdout()).containsExactly("65534", "65534");
    }

    @Test
    void aFinishedCommandHasAStatus() {
        Execution execution = commands.run("exit 4");

        CommandStatus status = commands.status(execution.id());

        assertThat(status.id()).isEqualTo(execution.id());
        assertThat(status.running()).isFalse();
        assertThat(status.exitCode()).hasValue(4);
        assertThat(status.content()).isEqualTo("exit 4");
        assertThat(status.startedAt()).isPresent();
        assertThat(status.finishedAt()).isPresent();
    }

    @Test
    void aBackgroundCommandCanBeFollowedAndInterrupted() {
        String id = commands.start("echo started; sleep 600");

        await().atMost(Duration.ofSeconds(30))
                .until(() -> commands.logs(id).content().contains("started"));
        assertThat(commands.status(id).running()).isTrue();

        commands.interrupt(id);

        await().atMost(Duration.ofSeconds(30)).until(() -> !commands.status(id).running());
        assertThat(commands.status(id).finishedAt()).isPresent();
    }

    @Test
    void logsAfterACursorHoldOnlyWhatCameSince() {
        Path next = execd.directory().resolve("next-" + System.nanoTime());
        String id =
                commands.start("echo early; while [ ! -f '" + next + "' ]; do sleep 0.05; done; echo late; sleep 600");
        try {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> commands.logs(id).content().contains("early"));
            CommandLogs first = commands.logs(id);
            assertThat(first.cursor()).isPresent();

            Files.createFile(next);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> commands.logs(id, first.cursor().getAsLong())
                            .content()
                            .contains("late"));

            assertThat(commands.logs(id, first.cursor().getAsLong()).content()).doesNotContain("early");
            assertThat(commands.logs(id).content()).contains("early").contains("late");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            commands.interrupt(id);
        }
    }

    @Test
    void aSessionKeepsItsShellState() {
        try (CommandSession session = commands.openSession(execd.directory().toString())) {
            assertThat(session.run("pwd").stdout())
                    .containsExactly(execd.directory().toString());

            session.run("export COLOR=teal; cd /tmp; counter=41");
            Execution later = session.run("echo $COLOR $((counter + 1)); pwd");

            assertThat(later.stdout()).containsExactly("teal 42", "/tmp");
            assertThat(session.run("exit_code_test() { return 5; }; exit_code_test")
                            .exitCode())
                    .hasValue(5);
        }
    }

    @Test
    void aClosedSessionIsGone() {
        CommandSession session = commands.openSession();
        session.close();

        SandboxApiException e = catchThrowableOfType(SandboxApiException.class, () -> session.run("true"));

        assertThat(e.status()).isEqualTo(404);
    }

    @Test
    void anUnknownCommandIdIsNotFound() {
        SandboxApiException e = catchThrowableOfType(SandboxApiException.class, () -> commands.status("no-such-id"));

        assertThat(e.status()).isEqualTo(404);
        assertThat(e.code()).isNotBlank();
        assertThat(e.serverMessage()).contains("no-such-id");
    }

    @Test
    void aBlankCommandIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> commands.run("  ")).hasMessageContaining("command must not be blank");
    }
}
