package dev.moat.sdk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads execd's execution streams: one JSON event per line, blank lines between them. Standard server-sent-event
 * framing is tolerated too: a {@code data:} prefix is removed, and {@code event:}, {@code id:}, {@code retry:} and
 * comment lines are skipped. A line that is not a JSON object is an error, never silently dropped.
 */
final class EventStreamReader {

    /** A result line can hold a large base64 image; a line beyond this is refused rather than buffered. */
    static final int MAX_LINE_BYTES = 64 * 1024 * 1024;

    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final byte[] buffer = new byte[8192];
    private int position;
    private int limit;

    EventStreamReader(InputStream in) {
        this.in = in;
    }

    /** The next event, or empty at the end of the stream. */
    Optional<ExecEvent> next() throws IOException {
        Optional<String> payload = nextPayload();
        return payload.isEmpty() ? Optional.empty() : Optional.of(event(object(payload.get())));
    }

    /** The JSON text of the next event (any JSON, such as the metrics stream's), or empty at the end. */
    Optional<String> nextPayload() throws IOException {
        while (true) {
            Optional<String> text = nextLine();
            if (text.isEmpty()) {
                return Optional.empty();
            }
            Optional<String> payload = payload(text.get());
            if (payload.isPresent()) {
                return payload;
            }
        }
    }

    /**
     * Splits on LF bytes before decoding: a UTF-8 multi-byte sequence never contains one, so a character split across
     * two network chunks is decoded whole.
     */
    private Optional<String> nextLine() throws IOException {
        line.reset();
        while (true) {
            if (position == limit) {
                limit = in.read(buffer);
                position = 0;
                if (limit < 0) {
                    limit = 0;
                    return line.size() == 0 ? Optional.empty() : Optional.of(decode());
                }
            }
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            if (line.size() + (position - start) > MAX_LINE_BYTES) {
                throw new IOException("an event line is longer than " + MAX_LINE_BYTES + " bytes");
            }
            line.write(buffer, start, position - start);
            if (position < limit) {
                position++; // the LF
                return Optional.of(decode());
            }
        }
    }

    private String decode() {
        return line.toString(StandardCharsets.UTF_8);
    }

    /** The JSON a line holds, or empty for framing lines (blank, comment, {@code event:}, {@code id:}…). */
    static Optional<String> payload(String rawLine) {
        String text = rawLine.strip();
        if (text.isEmpty()
                || text.startsWith(":")
                || text.startsWith("event:")
                || text.startsWith("id:")
                || text.startsWith("retry:")) {
            return Optional.empty();
        }
        if (text.startsWith("data:")) {
            text = text.substring("data:".length()).strip();
        }
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    /** A line's JSON object; anything else is an error that quotes the line. */
    static JsonObject object(String payload) {
        Object parsed;
        try {
            parsed = Json.parse(payload);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "an event line is not JSON (" + e.getMessage() + "): " + clip(payload), e);
        }
        return JsonObject.of(parsed, "an event");
    }

    static ExecEvent event(JsonObject json) {
        Instant timestamp =
                json.optionalLong("timestamp").map(Instant::ofEpochMilli).orElseGet(Instant::now);
        String type = json.string("type");
        switch (type) {
            case "init":
                return new ExecEvent.Init(json.optionalString("text").orElse(""), timestamp);
            case "status":
                return new ExecEvent.Status(json.optionalString("text").orElse(""), timestamp);
            case "stdout":
                return new ExecEvent.Stdout(json.optionalString("text").orElse(""), timestamp);
            case "stderr":
                return new ExecEvent.Stderr(json.optionalString("text").orElse(""), timestamp);
            case "result":
                return new ExecEvent.Result(
                        new ExecutionResult(json.optionalObject("results")
                                .map(JsonObject::members)
                                .orElse(Map.of())),
                        json.optionalInt("execution_count"),
                        timestamp);
            case "execution_count":
                return new ExecEvent.ExecutionCount(json.intValue("execution_count"), timestamp);
            case "execution_complete":
                return new ExecEvent.Complete(
                        Duration.ofMillis(json.optionalLong("execution_time").orElse(0L)), timestamp);
            case "error":
                return new ExecEvent.Error(error(json.optionalObject("error")), timestamp);
            case "ping":
                return new ExecEvent.Ping(timestamp);
            default:
                return new ExecEvent.Unknown(type, json.members(), timestamp);
        }
    }

    private static ExecutionError error(Optional<JsonObject> error) {
        if (error.isEmpty()) {
            return new ExecutionError("UnknownError", "the server reported an error without details", List.of());
        }
        JsonObject e = error.get();
        return new ExecutionError(
                e.optionalString("ename").orElse(""), e.optionalString("evalue").orElse(""), e.stringList("traceback"));
    }

    private static String clip(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}
