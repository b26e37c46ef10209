package dev.moat.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EventStreamReaderTest {

    @Test
    void readsEveryEventType() throws IOException {
        List<ExecEvent> events = readAll(String.join(
                "\n\n",
                "{\"type\":\"init\",\"text\":\"cmd-1\",\"timestamp\":1700000000000}",
                "{\"type\":\"status\",\"text\":\"busy\",\"timestamp\":1700000000001}",
                "{\"type\":\"stdout\",\"text\":\"hello\",\"timestamp\":1700000000002}",
                "{\"type\":\"stderr\",\"text\":\"warn\",\"timestamp\":1700000000003}",
                "{\"type\":\"result\",\"results\":{\"text/plain\":\"2\"},\"execution_count\":3,\"timestamp\":4}",
                "{\"type\":\"execution_count\",\"execution_count\":3,\"timestamp\":5}",
                "{\"type\":\"ping\",\"text\":\"pong\",\"timestamp\":6}",
                "{\"type\":\"error\",\"error\":{\"ename\":\"CommandExecError\",\"evalue\":\"3\","
                        + "\"traceback\":[\"exit status 3\"]},\"timestamp\":7}",
                "{\"type\":\"execution_complete\",\"execution_time\":150,\"timestamp\":8}",
                ""));

        assertThat(events)
                .containsExactly(
                        new ExecEvent.Init("cmd-1", Instant.ofEpochMilli(1700000000000L)),
                        new ExecEvent.Status("busy", Instant.ofEpochMilli(1700000000001L)),
                        new ExecEvent.Stdout("hello", Instant.ofEpochMilli(1700000000002L)),
                        new ExecEvent.Stderr("warn", Instant.ofEpochMilli(1700000000003L)),
                        new ExecEvent.Result(
                                new ExecutionResult(Map.of("text/plain", "2")),
                                java.util.OptionalInt.of(3),
                                Instant.ofEpochMilli(4)),
                        new ExecEvent.ExecutionCount(3, Instant.ofEpochMilli(5)),
                        new ExecEvent.Ping(Instant.ofEpochMilli(6)),
                        new ExecEvent.Error(
                                new ExecutionError("CommandExecError", "3", List.of("exit status 3")),
                                Instant.ofEpochMilli(7)),
                        new ExecEvent.Complete(Duration.ofMillis(150), Instant.ofEpochMilli(8)));
    }

    @Test
    void toleratesServerSentEventFraming() throws IOException {
        List<ExecEvent> events = readAll(": a comment\r\n"
                + "event: message\r\n"
                + "id: 7\r\n"
                + "retry: 1000\r\n"
                + "data: {\"type\":\"stdout\",\"text\":\"framed\",\"timestamp\":1}\r\n"
                + "\r\n"
                + "data:{\"type\":\"stdout\",\"text\":\"tight\",\"timestamp\":2}\n"
                + "data:\n"
                + "   \n"
                + "{\"type\":\"stdout\",\"text\":\"plain\",\"timestamp\":3}");

        assertThat(events)
                .extracting(event -> ((ExecEvent.Stdout) event).text())
                .containsExactly("framed", "tight", "plain");
    }

    @Test
    void keepsUnknownEventTypesWithTheirMembers() throws IOException {
        List<ExecEvent> events = readAll(
                "{\"type\":\"progress\",\"percent\":40,\"timestamp\":9}\n{\"type\":\"stdout\",\"text\":\"x\"}\n");

        assertThat(events.get(0)).isInstanceOf(ExecEvent.Unknown.class);
        ExecEvent.Unknown unknown = (ExecEvent.Unknown) events.get(0);
        assertThat(unknown.type()).isEqualTo("progress");
        assertThat(unknown.members()).containsEntry("percent", 40L);
        assertThat(unknown.terminal()).isFalse();
        assertThat(events.get(1)).isInstanceOf(ExecEvent.Stdout.class);
    }

    @Test
    void decodesCharactersSplitAcrossNetworkChunks() throws IOException {
        String text = "héllo 中文 😀 done";
        byte[] stream = ("{\"type\":\"stdout\",\"text\":\"" + text + "\"}\n\n").getBytes(StandardCharsets.UTF_8);

        List<ExecEvent> events = new ArrayList<>();
        EventStreamReader reader = new EventStreamReader(new OneByteAtATime(stream));
        for (Optional<ExecEvent> event = reader.next(); event.isPresent(); event = reader.next()) {
            events.add(event.get());
        }

        assertThat(events).hasSize(1);
        assertThat(((ExecEvent.Stdout) events.get(0)).text()).isEqualTo(text);
    }

    @Test
    void readsTheLastLineEvenWithoutNewline() throws IOException {
        assertThat(readAll("{\"type\":\"execution_complete\",\"execution_time\":1}"))
                .singleElement()
                .isInstanceOf(ExecEvent.Complete.class);
    }

    @Test
    void readsLargeResultLines() throws IOException {
        byte[] image = new byte[3 * 1024 * 1024];
        new java.util.Random(1).nextBytes(image);
        String base64 = Base64.getEncoder().encodeToString(image);

        List<ExecEvent> events = readAll("{\"type\":\"result\",\"results\":{\"image/png\":\"" + base64 + "\"}}\n");

        ExecutionResult result = ((ExecEvent.Result) events.get(0)).result();
        assertThat(result.png()).hasValue(image);
        assertThat(result.text()).isEmpty();
    }

    @Test
    void refusesLinesThatAreNotJsonObjects() {
        assertThatThrownBy(() -> readAll("this is not json\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not JSON")
                .hasMessageContaining("this is not json");
        assertThatThrownBy(() -> readAll("[1,2]\n")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> readAll("{\"text\":\"no type\"}\n")).hasMessageContaining("'type'");
    }

    @Test
    void fillsInAMissingTimestampWithTheArrivalTime() throws IOException {
        Instant before = Instant.now();
        ExecEvent event = readAll("{\"type\":\"stdout\",\"text\":\"x\"}").get(0);
        assertThat(event.timestamp()).isBetween(before, Instant.now());
    }

    static List<ExecEvent> readAll(String stream) throws IOException {
        EventStreamReader reader =
                new EventStreamReader(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)));
        List<ExecEvent> events = new ArrayList<>();
        for (Optional<ExecEvent> event = reader.next(); event.isPresent(); event = reader.next()) {
            events.add(event.get());
        }
        return events;
    }

    /** A stream that hands out one byte per read, as a slow network might. */
    private static final class OneByteAtATime extends InputStream {
        private final byte[] bytes;
        private int position;

        OneByteAtATime(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            return position < bytes.length ? bytes[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            if (position >= bytes.length) {
                return -1;
            }
            target[offset] = bytes[position++];
            return 1;
        }
    }
}
