package dev.moat.sdk;

import java.util.Map;

/** Runs one streamed execution request and reads its events to the terminal one. */
final class ExecutionStream {

    private ExecutionStream() {}

    /**
     * POSTs {@code body} to {@code path} and feeds every event to a recorder (and the handler) until the terminal event.
     * A stream that ends without one is a failure: the connection broke or the server is not an execd.
     */
    static Execution run(HttpTransport transport, String path, Object body, ExecutionHandler handler, boolean command) {
        ExecutionRecorder recorder = new ExecutionRecorder(handler, command);
        HttpTransport.Response response = transport.send(
                "POST", path, HttpTransport.Body.json(body), Map.of("Accept", "text/event-stream"), true);
        try (BodyStream stream = response.body()) {
            EventStreamReader reader = new EventStreamReader(stream);
            while (!recorder.ended()) {
                // the handler runs outside the reading guard: its own exceptions reach the caller unchanged
                recorder.accept(nextEvent(reader, response));
            }
        }
        return recorder.execution();
    }

    private static ExecEvent nextEvent(EventStreamReader reader, HttpTransport.Response response) {
        return HttpTransport.reading(response, reader::next)
                .orElseThrow(() -> HttpTransport.unexpected(
                        response,
                        new IllegalArgumentException("the event stream ended before execution_complete or error")));
    }
}
