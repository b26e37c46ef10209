package dev.moat.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecutionRecorderTest {

    @Test
    void aSuccessfulCommandHasExitCodeZeroAndItsOutputInOrder() throws IOException {
        List<String> calls = new ArrayList<>();
        Execution execution = record(
                true,
                recordingHandler(calls),
                "{\"type\":\"init\",\"text\":\"cmd-7\",\"timestamp\":1}",
                "{\"type\":\"stdout\",\"text\":\"one\",\"timestamp\":2}",
                "{\"type\":\"stderr\",\"text\":\"oops\",\"timestamp\":3}",
                "{\"type\":\"ping\",\"timestamp\":4}",
                "{\"type\":\"stdout\",\"text\":\"two\",\"timestamp\":5}",
                "{\"type\":\"execution_complete\",\"execution_time\":12,\"timestamp\":6}");

        assertThat(execution.id()).isEqualTo("cmd-7");
        assertThat(execution.stdout()).containsExactly("one", "two");
        assertThat(execution.stdoutText()).isEqualTo("one\ntwo");
        assertThat(execution.stderr()).containsExactly("oops");
        assertThat(execution.succeeded()).isTrue();
        assertThat(execution.exitCode()).hasValue(0);
        assertThat(execution.executionTime()).hasValue(Duration.ofMillis(12));
        assertThat(calls)
                .containsExactly(
                        "event Init",
                        "init cmd-7",
                        "event Stdout",
                        "stdout one",
                        "event Stderr",
                        "stderr oops",
                        "event Ping",
                        "event Stdout",
                        "stdout two",
                        "event Complete",
                        "complete PT0.012S");
    }

    @Test
    void aFailedCommandCarriesItsExitCodeFromTheErrorEvent() throws IOException {
        Execution execution = record(
                true,
                ExecutionHandler.none(),
                "{\"type\":\"init\",\"text\":\"cmd-8\"}",
                "{\"type\":\"error\",\"error\":{\"ename\":\"CommandExecError\",\"evalue\":\"3\",\"traceback\":[]}}");

        assertThat(execution.succeeded()).isFalse();
        assertThat(execution.exitCode()).hasValue(3);
        assertThat(execution.error().orElseThrow().name()).isEqualTo("CommandExecError");
        assertThat(execution.executionTime()).isEmpty();
    }

    @Test
    void aCommandThatCouldNotStartHasNoExitCode() throws IOException {
        Execution execution = record(
                true,
                ExecutionHandler.none(),
                "{\"type\":\"init\",\"text\":\"cmd-9\"}",
                "{\"type\":\"error\",\"error\":{\"ename\":\"CommandExecError\","
                        + "\"evalue\":\"chdir /nope: no such file or directory\"}}");

        assertThat(execution.exitCode()).isEmpty();
        assertThat(execution.error().orElseThrow().value()).contains("/nope");
    }

    @Test
    void aCodeCellCollectsResultsAndTheExecutionCountButNoExitCode() throws IOException {
        List<String> calls = new ArrayList<>();
        Execution execution = record(
                false,
                recordingHandler(calls),
                "{\"type\":\"init\",\"text\":\"ctx-1\"}",
                "{\"type\":\"status\",\"text\":\"busy\"}",
                "{\"type\":\"execution_count\",\"execution_count\":4}",
                "{\"type\":\"result\",\"results\":{\"text\":\"42\"}}",
                "{\"type\":\"result\",\"results\":{\"text/plain\":\"<Figure>\",\"image/png\":\"iVBORw0KGgo=\"},"
                        + "\"execution_count\":5}",
                "{\"type\":\"execution_complete\",\"execution_time\":3}");

        assertThat(execution.exitCode()).isEmpty();
        assertThat(execution.executionCount()).hasValue(5);
        assertThat(execution.results()).hasSize(2);
        assertThat(execution.text()).hasValue("42"); // OpenSandbox's Go execd names text/plain "text"
        assertThat(execution.results().get(1).png())
                .hasValueSatisfying(png ->
                        assertThat(java.util.Arrays.copyOf(png, 4)).isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G'}));
        assertThat(calls).contains("result 42", "event Status");
    }

    @Test
    void aCodeErrorKeepsNameValueAndTraceback() throws IOException {
        Execution execution = record(
                false,
                ExecutionHandler.none(),
                "{\"type\":\"init\",\"text\":\"ctx-1\"}",
                "{\"type\":\"error\",\"error\":{\"ename\":\"NameError\",\"evalue\":\"name 'x' is not defined\","
                        + "\"traceback\":[\"Traceback (most recent call last):\",\"NameError: x\"]}}");

        ExecutionError error = execution.error().orElseThrow();
        assertThat(error.name()).isEqualTo("NameError");
        assertThat(error.value()).isEqualTo("name 'x' is not defined");
        assertThat(error.traceback()).hasSize(2);
    }

    @Test
    void anEmptyInitKeepsNoIdButTheRunStillCounts() throws IOException {
        Execution execution =
                record(true, ExecutionHandler.none(), "{\"type\":\"init\"}", "{\"type\":\"execution_complete\"}");
        assertThat(execution.id()).isEmpty();
        assertThat(execution.exitCode()).hasValue(0);
    }

    private static Execution record(boolean command, ExecutionHandler handler, String... lines) throws IOException {
        ExecutionRecorder recorder = new ExecutionRecorder(handler, command);
        for (ExecEvent event : EventStreamReaderTest.readAll(String.join("\n\n", lines))) {
            recorder.accept(event);
        }
        assertThat(recorder.ended()).isTrue();
        return recorder.execution();
    }

    private static ExecutionHandler recordingHandler(List<String> calls) {
        return new ExecutionHandler() {
            @Override
            public void onEvent(ExecEvent event) {
                calls.add("event " + event.getClass().getSimpleName());
            }

            @Override
            public void onInit(String id) {
                calls.add("init " + id);
            }

            @Override
            public void onStdout(String text) {
                calls.add("stdout " + text);
            }

            @Override
            public void onStderr(String text) {
                calls.add("stderr " + text);
            }

            @Override
            public void onResult(ExecutionResult result) {
                calls.add("result " + result.text().orElse("?"));
            }

            @Override
            public void onError(ExecutionError error) {
                calls.add("error " + error.name());
            }

            @Override
            public void onComplete(Duration executionTime) {
                calls.add("complete " + executionTime);
            }
        };
    }
}
