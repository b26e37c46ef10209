package dev.moat.sdk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Calls one HTTP API (the lifecycle API or one execd) with the connection's headers and timeouts, and turns every
 * failure into a {@link SandboxApiException}: an error status with the server's {@code {code, message}} and request
 * id, a timeout, a broken connection, an answer that is not the documented JSON.
 */
final class HttpTransport {

    static final String REQUEST_ID_HEADER = "X-Request-ID";
    private static final String USER_AGENT = "moat-sdk-java/0.1";
    static final int MAX_JSON_BYTES = 64 * 1024 * 1024;
    static final int MAX_TEXT_BYTES = 256 * 1024 * 1024;
    private static final int MAX_ERROR_BYTES = 64 * 1024;

    private final ConnectionConfig config;
    private final URI base;
    private final Map<String, String> headers;

    /** Calls under {@code base} (e.g. {@code http://host:8000/v1}), with the connection's headers and these. */
    HttpTransport(ConnectionConfig config, URI base, Map<String, String> extraHeaders) {
        this.config = config;
        this.base = base;
        Map<String, String> all = new LinkedHashMap<>(config.requestHeaders());
        all.putAll(extraHeaders);
        this.headers = Map.copyOf(all);
    }

    URI base() {
        return base;
    }

    ConnectionConfig config() {
        return config;
    }

    /** A request body and its content type. */
    record Body(HttpRequest.BodyPublisher publisher, Optional<String> contentType) {
        static Body none() {
            return new Body(HttpRequest.BodyPublishers.noBody(), Optional.empty());
        }

        static Body json(Object value) {
            return new Body(
                    HttpRequest.BodyPublishers.ofString(Json.write(value), StandardCharsets.UTF_8),
                    Optional.of("application/json"));
        }
    }

    /** A successful answer whose body is still to be read; close the body when done. */
    record Response(int status, HttpHeaders headers, BodyStream body, String context) {}

    /**
     * Sends a JSON request (none when {@code body} is null) and reads the JSON answer with {@code reader}; an answer
     * that is empty, not JSON, or not the shape the reader expects is reported as unexpected.
     */
    <T> T json(String method, String pathAndQuery, Object body, Function<Object, T> reader) {
        Response response = sendJson(method, pathAndQuery, body);
        String text = readText(response, MAX_JSON_BYTES);
        try {
            if (text.isBlank()) {
                throw new IllegalArgumentException("the answer is empty where JSON was expected");
            }
            return reader.apply(Json.parse(text));
        } catch (IllegalArgumentException e) {
            throw unexpected(response, e);
        }
    }

    /** Like {@link #json} but for calls whose answer is not used. */
    void call(String method, String pathAndQuery, Object body) {
        readText(sendJson(method, pathAndQuery, body), MAX_JSON_BYTES);
    }

    private Response sendJson(String method, String pathAndQuery, Object body) {
        return send(
                method,
                pathAndQuery,
                body == null ? Body.none() : Body.json(body),
                Map.of("Accept", "application/json"),
                false);
    }

    /**
     * Sends a request and returns once the answer's headers arrived; statuses of 400 and more fail here. A
     * {@code streamed} answer may then stay silent for the connection's stream idle timeout, any other for its request
     * timeout.
     */
    Response send(String method, String pathAndQuery, Body body, Map<String, String> extraHeaders, boolean streamed) {
        URI uri = URI.create(base + pathAndQuery);
        String context = method + " " + uri;
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .method(method, body.publisher())
                .timeout(config.requestTimeout())
                .header("User-Agent", USER_AGENT);
        headers.forEach(request::header);
        body.contentType().ifPresent(type -> request.header("Content-Type", type));
        extraHeaders.forEach(request::header);
        Duration idle = streamed ? config.streamIdleTimeout() : config.requestTimeout();
        HttpResponse<BodyStream> response;
        try {
            response = config.httpClient().send(request.build(), info -> new BodyStream(idle, context));
        } catch (IOException e) {
            throw failure(e, context);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SandboxApiException.local(
                    SandboxApiException.INTERRUPTED, "interrupted while waiting for " + context, e);
        }
        if (response.statusCode() >= 400) {
            throw error(response, context);
        }
        return new Response(response.statusCode(), response.headers(), response.body(), context);
    }

    /** The whole body as UTF-8 text (at most {@code limit} bytes), closing it. */
    static String readText(Response response, int limit) {
        try (BodyStream body = response.body()) {
            return new String(readUpTo(body, limit, response.context()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw failure(e, response.context());
        }
    }

    private static byte[] readUpTo(InputStream in, int limit, String context) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            if (out.size() + n > limit) {
                throw new IOException("the answer of " + context + " is larger than " + limit + " bytes");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /** Reads part of an answer's body. */
    interface BodyReader<T> {
        T read() throws IOException;
    }

    /**
     * Reads part of a streamed answer: a broken or stalled connection and an answer that is not the documented shape
     * become the matching {@link SandboxApiException}.
     */
    static <T> T reading(Response response, BodyReader<T> reader) {
        try {
            return reader.read();
        } catch (IOException e) {
            throw failure(e, response.context());
        } catch (IllegalArgumentException e) {
            throw unexpected(response, e);
        }
    }

    /** A failure without an HTTP answer, or while reading one. */
    static SandboxApiException failure(IOException e, String context) {
        if (e instanceof HttpConnectTimeoutException) {
            return SandboxApiException.local(
                    SandboxApiException.TIMEOUT, context + ": could not connect in time (" + e.getMessage() + ")", e);
        }
        if (e instanceof HttpTimeoutException) {
            // a stalled body says which request it belongs to; a stalled request is named here
            String message = e.getMessage() != null && e.getMessage().startsWith(context)
                    ? e.getMessage()
                    : context + ": no answer in time (" + e.getMessage() + ")";
            return SandboxApiException.local(SandboxApiException.TIMEOUT, message, e);
        }
        if (e instanceof InterruptedIOException) {
            return SandboxApiException.local(
                    SandboxApiException.INTERRUPTED, context + ": interrupted (" + e.getMessage() + ")", e);
        }
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof ConnectException) {
            return SandboxApiException.local(
                    SandboxApiException.CONNECTION_FAILED, context + ": cannot connect (" + reason + ")", e);
        }
        return SandboxApiException.local(SandboxApiException.CONNECTION_FAILED, context + ": " + reason, e);
    }

    /** An answer that is not the documented shape. */
    static SandboxApiException unexpected(Response response, RuntimeException cause) {
        return new SandboxApiException(
                response.status(),
                SandboxApiException.UNEXPECTED_RESPONSE,
                cause.getMessage(),
                response.headers().firstValue(REQUEST_ID_HEADER).orElse(null),
                response.context(),
                cause);
    }

    private static SandboxApiException error(HttpResponse<BodyStream> response, String context) {
        String requestId = response.headers().firstValue(REQUEST_ID_HEADER).orElse(null);
        String text;
        try (BodyStream body = response.body()) {
            text = new String(readUpTo(body, MAX_ERROR_BYTES, context), StandardCharsets.UTF_8);
        } catch (IOException e) {
            text = "(the error body could not be read: " + e.getMessage() + ")";
        }
        String code = SandboxApiException.UNEXPECTED_RESPONSE;
        String message = text.isBlank() ? "HTTP " + response.statusCode() + " without a body" : text.strip();
        try {
            Object parsed = Json.parse(text);
            if (parsed instanceof Map) {
                JsonObject envelope = JsonObject.of(parsed, "the error answer");
                code = envelope.optionalString("code").orElse(code);
                message = envelope.optionalString("message")
                        .or(() -> envelope.optionalString("detail"))
                        .orElse(message);
            }
        } catch (IllegalArgumentException notJson) {
            // not the {code, message} envelope (a proxy's HTML page, say): the raw text is the message
            message = message.length() > 500 ? message.substring(0, 500) + "…" : message;
        }
        return new SandboxApiException(response.statusCode(), code, message, requestId, context);
    }
}
