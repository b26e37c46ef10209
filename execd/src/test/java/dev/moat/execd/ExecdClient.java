package dev.moat.execd;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.moat.http.Json;
import dev.moat.protocol.ErrorResponse;
import dev.moat.protocol.ExecEvent;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Transport;

/** A real HTTP client for execd over its Unix socket, as tests use it. */
final class ExecdClient implements AutoCloseable {

    private final HttpClient http;
    private final Path socket;
    private final String token;

    ExecdClient(Path socket, String token) throws Exception {
        this.socket = socket;
        this.token = token;
        this.http = new HttpClient();
        http.setMaxConnectionsPerDestination(512);
        http.start();
    }

    /** A complete response: status, headers (names lower-cased) and body. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        <T> T json(Class<T> type) throws Exception {
            return Json.mapper().readValue(body, type);
        }

        <T> T json(TypeReference<T> type) throws Exception {
            return Json.mapper().readValue(body, type);
        }

        ErrorResponse error() throws Exception {
            return json(ErrorResponse.class);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    Request request(String method, String pathAndQuery) {
        Request request = http.newRequest("http://localhost" + pathAndQuery)
                .transport(new Transport.TCPUnix(socket))
                .method(method)
                .timeout(60, TimeUnit.SECONDS);
        if (token != null) {
            request.headers(h -> h.put(AccessTokenFilter.HEADER, token));
        }
        return request;
    }

    Response send(Request request) throws Exception {
        ContentResponse response = request.send();
        Map<String, String> headers = new LinkedHashMap<>();
        for (HttpField field : response.getHeaders()) {
            headers.put(field.getLowerCaseName(), field.getValue());
        }
        return new Response(response.getStatus(), headers, response.getContent());
    }

    Response get(String pathAndQuery) throws Exception {
        return send(request("GET", pathAndQuery));
    }

    Response delete(String pathAndQuery) throws Exception {
        return send(request("DELETE", pathAndQuery));
    }

    Response post(String path, Object body) throws Exception {
        return postRaw(path, Json.mapper().writeValueAsString(body));
    }

    Response postRaw(String path, String body) throws Exception {
        return send(request("POST", path)
                .body(new BytesRequestContent("application/json", body.getBytes(StandardCharsets.UTF_8))));
    }

    boolean pingQuietly() {
        try {
            return get("/ping").status() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    /** Posts and reads the whole event stream, until the server ends it. */
    List<ExecEvent> stream(String path, Object body) throws Exception {
        return streamUntil(path, body, event -> false);
    }

    /**
     * Posts and reads the event stream until it ends or {@code stop} accepts an event; the events read so far are
     * returned and the connection is dropped.
     */
    List<ExecEvent> streamUntil(String path, Object body, Predicate<ExecEvent> stop) throws Exception {
        InputStreamResponseListener listener = new InputStreamResponseListener();
        request("POST", path)
                .timeout(10, TimeUnit.MINUTES)
                .body(new BytesRequestContent("application/json", Json.mapper().writeValueAsBytes(body)))
                .send(listener);
        org.eclipse.jetty.client.Response response = listener.get(60, TimeUnit.SECONDS);
        List<ExecEvent> events = new ArrayList<>();
        try (InputStream in = listener.getInputStream();
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            if (response.getStatus() != 200) {
                throw new IllegalStateException(
                        "stream answered " + response.getStatus() + ": " + new String(in.readAllBytes()));
            }
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                ExecEvent event = Json.mapper().readValue(line, ExecEvent.class);
                events.add(event);
                if (stop.test(event)) {
                    response.abort(new java.io.IOException("test stops reading"));
                    break;
                }
            }
        }
        return events;
    }

    @Override
    public void close() throws Exception {
        http.stop();
    }
}
