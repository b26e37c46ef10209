package dev.moat.execd;

import dev.moat.http.Json;
import dev.moat.protocol.ExecEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Response;

/** An execution stream read while it runs, for tests that act on a command in the middle of it. */
final class LiveStream implements AutoCloseable {

    private final Response response;
    private final BufferedReader reader;
    private final List<ExecEvent> events = new ArrayList<>();

    private LiveStream(Response response, BufferedReader reader) {
        this.response = response;
        this.reader = reader;
    }

    static LiveStream open(ExecdClient client, String path, Object body) throws Exception {
        InputStreamResponseListener listener = new InputStreamResponseListener();
        client.request("POST", path)
                .timeout(10, TimeUnit.MINUTES)
                .body(new BytesRequestContent("application/json", Json.mapper().writeValueAsBytes(body)))
                .send(listener);
        Response response = listener.get(60, TimeUnit.SECONDS);
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8));
        if (response.getStatus() != 200) {
            throw new IllegalStateException("stream answered " + response.getStatus());
        }
        return new LiveStream(response, reader);
    }

    /** Reads until an event matches and returns it; fails if the stream ends first. */
    ExecEvent await(Predicate<ExecEvent> wanted) throws IOException {
        for (ExecEvent event = read(); event != null; event = read()) {
            if (wanted.test(event)) {
                return event;
            }
        }
        throw new IllegalStateException("the stream ended without the awaited event; events: " + events);
    }

    /** The next stdout line. */
    String nextStdout() throws IOException {
        return ((ExecEvent.Stdout) await(e -> e instanceof ExecEvent.Stdout)).text();
    }

    /** Reads to the end of the stream and returns every event read, from the first. */
    List<ExecEvent> readToEnd() throws IOException {
        while (read() != null) {
            // every event is kept in the list
        }
        return List.copyOf(events);
    }

    /** The next event, or null at the end of the stream. */
    private ExecEvent read() throws IOException {
        String line = reader.readLine();
        while (line != null && line.isBlank()) {
            line = reader.readLine();
        }
        if (line == null) {
            return null;
        }
        ExecEvent event = Json.mapper().readValue(line, ExecEvent.class);
        events.add(event);
        return event;
    }

    /** Drops the connection, as a client that goes away does. */
    void disconnect() {
        response.abort(new IOException("test client disconnects"));
    }

    @Override
    public void close() throws IOException {
        disconnect();
        reader.close();
    }
}
