package dev.moat.execd;

import static dev.moat.execd.Events.complete;
import static dev.moat.execd.Events.error;
import static dev.moat.execd.Events.initId;
import static dev.moat.execd.Events.stderr;
import static dev.moat.execd.Events.stdout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moat.protocol.CommandStatus;
import dev.moat.protocol.ExecEvent;
import dev.moat.protocol.RunCommandRequest;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The event stream of {@code POST /command}, as the OpenSandbox SDKs read it. */
class CommandStreamTest {

    @RegisterExtension
    static final SharedExecd execd = new SharedExecd();

    private static List<ExecEvent> run(String command) throws Exception {
        return execd.client().stream("/command", RunCommandRequest.of(command));
    }

    @Test
    void streamIsTextEventStreamOfOneCompactJsonLinePerEventEachFollowedByABlankLine() throws Exception {
        ExecdClient.Response response = execd.client().post("/command", RunCommandRequest.of("echo one; echo two"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("text/event-stream");
        String[] lines = response.text().split("\n", -1);
        assertThat(lines.length).isEqualTo(4 * 2 + 1);
        for (int i = 0; i < lines.length - 1; i += 2) {
            assertThat(lines[i]).startsWith("{\"type\":\"").endsWith("}").doesNotContain(": ");
            assertThat(lines[i + 1]).isEmpty();
        }
        assertThat(lines[0]).startsWith("{\"type\":\"init\"");
        assertThat(lines[6]).startsWith("{\"type\":\"execution_complete\"");
    }

    @Test
    void initComesFirstAndCarriesTheCommandIdThatStatusKnows() throws Exception {
        List<ExecEvent> events = run("true");

        String id = initId(events);
        CommandStatus status = execd.status(id);
        assertThat(status.id()).isEqualTo(id);
        assertThat(status.content()).isEqualTo("true");
        assertThat(status.running()).isFalse();
        assertThat(status.exitCode()).isZero();
    }

    @Test
    void eachLineIsOneEventWithoutItsNewlineAndALastLineWithoutNewlineIsSentToo() throws Exception {
        List<ExecEvent> events = run("printf 'first\\n\\nthird\\r\\nlast'");

        assertThat(stdout(events)).containsExactly("first", "", "third", "last");
        complete(events);
    }

    @Test
    void stderrLinesComeAsStderrEvents() throws Exception {
        List<ExecEvent> events = run("echo out; echo err1 >&2; echo err2 >&2");

        assertThat(stdout(events)).containsExactly("out");
        assertThat(stderr(events)).containsExactly("err1", "err2");
    }

    @Test
    void successEndsWithExecutionCompleteCarryingTheExecutionTime() throws Exception {
        ExecEvent.Complete complete = complete(run("sleep 0.3"));

        assertThat(complete.executionTime()).isBetween(300L, 60_000L);
    }

    @Test
    void failureEndsWithCommandExecErrorWhoseValueIsTheExitCode() throws Exception {
        ExecEvent.ErrorDetail error = error(run("echo doing; exit 3"));

        assertThat(error.ename()).isEqualTo("CommandExecError");
        assertThat(error.evalue()).isEqualTo("3");
        assertThat(error.traceback()).singleElement().asString().contains("exited with code 3");
    }

    @Test
    void exitCodeOfACommandKilledByASignalIs128PlusTheSignal() throws Exception {
        assertThat(error(run("kill -KILL $$")).evalue()).isEqualTo("137");
        assertThat(error(run("kill -TERM $$")).evalue()).isEqualTo("143");
    }

    @Test
    void manyLinesArriveAllInOrder() throws Exception {
        List<ExecEvent> events = run("seq 1 20000");

        assertThat(stdout(events))
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 20000)
                        .mapToObj(Integer::toString)
                        .toList());
    }

    @Test
    void anAbsurdlyLongLineArrivesInChunksThatAddUpToIt() throws Exception {
        List<ExecEvent> events = run("head -c 300000 /dev/zero | tr '\\0' a; echo; echo next");

        List<String> lines = stdout(events);
        assertThat(lines).hasSizeGreaterThan(2).last().isEqualTo("next");
        List<String> chunks = lines.subList(0, lines.size() - 1);
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.length()).isLessThanOrEqualTo(64 * 1024));
        assertThat(String.join("", chunks)).hasSize(300000).matches("a+");
    }

    @Test
    void undecodableBytesAreReplacedAndTheStreamGoesOn() throws Exception {
        List<ExecEvent> events = run("printf 'bad \\377\\376 bytes\\n'; echo fine");

        assertThat(stdout(events)).containsExactly("bad \uFFFD\uFFFD bytes", "fine");
        complete(events);
    }

    @Test
    void outputArrivesWhileTheCommandStillRuns() throws Exception {
        try (LiveStream stream =
                LiveStream.open(execd.client(), "/command", RunCommandRequest.of("echo early; sleep 600; echo late"))) {
            String id = ((ExecEvent.Init) stream.await(ExecEvent.Init.class::isInstance)).text();

            assertThat(stream.nextStdout()).isEqualTo("early");
            assertThat(execd.status(id).running()).isTrue();
            execd.client().delete("/command?id=" + id);
        }
    }

    @Test
    void aCommandThatLeavesAProcessHoldingItsOutputOpenStillEnds() throws Exception {
        List<ExecEvent> events = run("sleep 1000 & echo $!");

        long leftover = Long.parseLong(stdout(events).getFirst());
        complete(events);
        assertThat(ProcFs.isRunning(leftover))
                .as("a foreground command's leftover keeps running")
                .isTrue();
        ProcessHandle.of(leftover).ifPresent(ProcessHandle::destroy);
    }

    @Test
    void longRunsGetPingEventsToKeepTheConnectionAlive() throws Exception {
        List<ExecEvent> events = run("sleep " + (ExecutionStream.PING_INTERVAL.toSeconds() + 1));

        assertThat(events).anyMatch(ExecEvent.Ping.class::isInstance);
        complete(events);
    }

    @Test
    void commandsRunWithBashWithStdinOnDevNull() throws Exception {
        List<ExecEvent> events = run("echo ${BASH_VERSION:+bash}; readlink /proc/self/fd/0; cat; echo after-cat");

        assertThat(stdout(events)).containsExactly("bash", "/dev/null", "after-cat");
    }

    @Test
    void commandsGetNoneOfExecdsDescriptorsAndEverySignalAtItsDefault() throws Exception {
        run("true"); // the first command sets up the posix_spawn launcher, which takes over once ready
        await().atMost(Duration.ofSeconds(30)).until(() -> execd.log().contains(SpawnLauncher.READY));

        List<ExecEvent> events = run("ls /proc/$$/fd; grep -E '^Sig(Blk|Ign)' /proc/self/status | cut -f2");

        List<String> lines = stdout(events);
        assertThat(lines.subList(0, 3)).containsExactly("0", "1", "2");
        // signals 1 to 31; the real-time ones above belong to the C library (glibc keeps 32 and 33 for itself)
        long standardSignals = 0x7fffffffL;
        assertThat(Long.parseUnsignedLong(lines.get(3), 16) & standardSignals)
                .as("blocked")
                .isZero();
        assertThat(Long.parseUnsignedLong(lines.get(4), 16) & standardSignals)
                .as("ignored")
                .isZero();
    }

    @Test
    void eachCommandLeadsItsOwnProcessGroup() throws Exception {
        List<ExecEvent> events = run("echo $$; cut -d' ' -f5 /proc/$$/stat; cut -d' ' -f5 /proc/self/stat");

        List<String> lines = stdout(events);
        assertThat(lines.get(1)).as("pgid of the shell").isEqualTo(lines.get(0));
        assertThat(lines.get(2)).as("pgid of its child").isEqualTo(lines.get(0));
        assertThat(lines.get(0)).isNotEqualTo(Long.toString(execd.process().pid()));
    }
}
