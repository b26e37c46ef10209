package dev.moat.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import dev.moat.protocol.ErrorResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * One request and its response, seen from a {@link Route}: path and query parameters, headers, a JSON or streamed
 * body in, and JSON, text, bytes or an {@link EventStream} out. Blocking; meant for virtual threads.
 */
public final class Exchange {

    /** The most bytes of an oversized body read (and dropped) so that its 413 reaches the client. */
    private static final long DRAIN_LIMIT = 64L * 1024 * 1024;

    private final Request request;
    private final Response response;
    private final Map<String, String> pathParameters;
    private final ErrorVocabulary errors;
    private final int maxJsonBytes;
    private Fields query;
    private OutputStream output;

    Exchange(
            Request request,
            Response response,
            Map<String, String> pathParameters,
            ErrorVocabulary errors,
            int maxJsonBytes) {
        this.request = request;
        this.response = response;
        this.pathParameters = pathParameters;
        this.errors = errors;
        this.maxJsonBytes = maxJsonBytes;
    }

    public Request request() {
        return request;
    }

    public Response response() {
        return response;
    }

    public ErrorVocabulary errors() {
        return errors;
    }

    public String method() {
        return request.getMethod();
    }

    /** The decoded path, without the query. */
    public String path() {
        return request.getHttpURI().getDecodedPath();
    }

    /** The raw query string, or empty. */
    public String rawQuery() {
        String q = request.getHttpURI().getQuery();
        return q == null ? "" : q;
    }

    /** A path parameter of the matched template; {@code "**"} is the rest of the path after a trailing wildcard. */
    public String pathParameter(String name) {
        String value = pathParameters.get(name);
        if (value == null) {
            throw new IllegalArgumentException("route has no path parameter " + name);
        }
        return value;
    }

    public Optional<String> query(String name) {
        return Optional.ofNullable(queryFields().getValue(name));
    }

    /** Every value of a repeated query parameter, in order; empty when absent. */
    public List<String> queryAll(String name) {
        List<String> values = queryFields().getValues(name);
        return values == null ? List.of() : values;
    }

    /** A query parameter that must be present and not blank. */
    public String requireQuery(String name) {
        return query(name)
                .filter(v -> !v.isBlank())
                .orElseThrow(() -> errors.missingParameter().exception("missing query parameter '%s'", name));
    }

    /** A repeated query parameter that must be given at least once. */
    public List<String> requireQueryAll(String name) {
        List<String> values = queryAll(name).stream().filter(v -> !v.isBlank()).toList();
        if (values.isEmpty()) {
            throw errors.missingParameter().exception("missing query parameter '%s'", name);
        }
        return values;
    }

    /** An optional integer query parameter; a value that is not an integer is refused. */
    public Optional<Long> queryLong(String name) {
        return query(name).map(value -> {
            try {
                return Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw errors.missingParameter()
                        .exception("query parameter '%s' must be an integer, got '%s'", name, value);
            }
        });
    }

    public Optional<Boolean> queryBoolean(String name) {
        return query(name).map(value -> switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no", "" -> false;
            default ->
                throw errors.missingParameter()
                        .exception("query parameter '%s' must be true or false, got '%s'", name, value);
        });
    }

    private Fields queryFields() {
        if (query == null) {
            query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        }
        return query;
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(request.getHeaders().get(name));
    }

    public Optional<String> contentType() {
        return header(HttpHeader.CONTENT_TYPE.asString());
    }

    /** The request body as a stream, for routes that read large bodies without holding them in memory. */
    public InputStream body() {
        return Content.Source.asInputStream(request);
    }

    /** The body parsed as JSON of the given type; an empty, oversized or malformed body is refused with a 4xx. */
    public <T> T readJson(Class<T> type) {
        return readJson(Json.mapper().constructType(type));
    }

    public <T> T readJson(TypeReference<T> type) {
        return readJson(Json.mapper().getTypeFactory().constructType(type));
    }

    /** The body parsed as JSON, or empty when the request has no body at all. */
    public <T> Optional<T> readOptionalJson(Class<T> type) {
        byte[] bytes = readBytes();
        if (isBlank(bytes)) {
            return Optional.empty();
        }
        return Optional.of(parse(bytes, Json.mapper().constructType(type)));
    }

    private <T> T readJson(JavaType type) {
        byte[] bytes = readBytes();
        if (isBlank(bytes)) {
            throw errors.invalidBody().exception("request body is empty; expected a JSON %s", describe(type));
        }
        return parse(bytes, type);
    }

    private <T> T parse(byte[] bytes, JavaType type) {
        try {
            T value = Json.mapper().readValue(bytes, type);
            if (value == null) {
                throw errors.invalidBody().exception("request body is null; expected a JSON %s", describe(type));
            }
            return value;
        } catch (JsonProcessingException e) {
            throw errors.invalidBody().exception("malformed request body: %s", Json.describe(e));
        } catch (IOException e) {
            throw errors.invalidBody().exception("could not read request body: %s", e.getMessage());
        }
    }

    private static String describe(JavaType type) {
        if (type.isCollectionLikeType() || type.isArrayType()) {
            return "array";
        }
        return "object";
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return true;
    }

    private byte[] readBytes() {
        long declared = request.getLength();
        if (declared > maxJsonBytes) {
            if (declared <= DRAIN_LIMIT && !expectsContinue()) {
                try (InputStream in = body()) {
                    drain(in);
                } catch (IOException e) {
                    // the client went away: nobody will read the answer either
                }
            }
            throw tooLarge(
                    "request body of %d bytes is larger than the %d bytes this route accepts", declared, maxJsonBytes);
        }
        try (InputStream in = body()) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            int n;
            while ((n = in.read(chunk)) >= 0) {
                buffer.write(chunk, 0, n);
                if (buffer.size() > maxJsonBytes) {
                    drain(in);
                    throw tooLarge("request body is larger than the %d bytes this route accepts", maxJsonBytes);
                }
            }
            return buffer.toByteArray();
        } catch (IOException e) {
            throw errors.invalidBody().exception("could not read request body: %s", e.getMessage());
        }
    }

    /**
     * A 413 that reaches the client: a client still sending its body reads no answer if the server closes the
     * connection under it (the kernel resets a socket closed with unread bytes, and the reset discards the answer).
     * So the rest of the body is read and dropped first, up to {@link #DRAIN_LIMIT}, and the connection is closed
     * after the answer.
     */
    private static ApiException tooLarge(String format, Object... arguments) {
        return HttpError.PAYLOAD_TOO_LARGE.exception(format, arguments).withHeader("Connection", "close");
    }

    private static void drain(InputStream in) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        long drained = 0;
        int n;
        while (drained < DRAIN_LIMIT && (n = in.read(chunk)) >= 0) {
            drained += n;
        }
    }

    /**
     * Reads and drops what is left of the request body (up to {@link #DRAIN_LIMIT}), before an answer that did not
     * need it: Jetty closes a connection whose body was left unread, without telling the client in the answer, and a
     * client that then sends its next request on it gets no answer at all.
     */
    void discardBody() {
        if (expectsContinue() && request.getLength() != 0) {
            return; // the client sends nothing before it is asked to
        }
        try (InputStream in = body()) {
            drain(in);
        } catch (IOException | RuntimeException e) {
            // the client went away, or the body could not be read: the connection closes either way
        }
    }

    /** Whether the client waits for {@code 100 Continue} before it sends its body (so it sends none if refused). */
    private boolean expectsContinue() {
        return header("Expect")
                .filter(value -> value.equalsIgnoreCase("100-continue"))
                .isPresent();
    }

    public Exchange header(String name, String value) {
        response.getHeaders().put(name, value);
        return this;
    }

    public boolean committed() {
        return response.isCommitted();
    }

    /** Answers with a JSON body. */
    public void sendJson(int status, Object body) throws IOException {
        byte[] bytes = Json.mapper().writeValueAsBytes(body);
        send(status, "application/json", bytes);
    }

    /** Answers with a status and no body. */
    public void sendEmpty(int status) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
        output().close();
    }

    public void sendText(int status, String contentType, String text) throws IOException {
        send(status, contentType, text.getBytes(StandardCharsets.UTF_8));
    }

    public void send(int status, String contentType, byte[] bytes) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, (long) bytes.length);
        try (OutputStream out = output()) {
            out.write(bytes);
        }
    }

    /** Answers with the {@code {code,message}} body of an error. */
    public void sendError(ApiException e) throws IOException {
        e.headers().forEach(this::header);
        sendJson(e.error().status(), new ErrorResponse(e.error().code(), e.getMessage()));
    }

    /** The raw response body; set status and headers first. Every write is sent at once. */
    public OutputStream output() {
        if (output == null) {
            output = Content.Sink.asOutputStream(response);
        }
        return output;
    }

    /** Starts a {@code text/event-stream} answer of one JSON line per event. */
    public EventStream eventStream() {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put("X-Accel-Buffering", "no");
        return new EventStream(output(), request);
    }

    void complete(Callback callback) {
        if (output != null) {
            try {
                output.close();
            } catch (IOException e) {
                callback.failed(e);
                return;
            }
            callback.succeeded();
        } else {
            // a route that wrote nothing at all: end with an empty 200
            response.write(true, null, callback);
        }
    }
}
