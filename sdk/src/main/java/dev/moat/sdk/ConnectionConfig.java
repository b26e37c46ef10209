package dev.moat.sdk;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where the server is and how to talk to it: the base URL ({@code http://127.0.0.1:8000}; a trailing {@code /v1} is
 * accepted), the API key sent as {@code OPEN-SANDBOX-API-KEY}, extra headers, and the timeouts every call is bound
 * by. Unset values come from the environment: {@code OPEN_SANDBOX_DOMAIN} (a URL or {@code host:port}) and
 * {@code OPEN_SANDBOX_API_KEY}. Immutable; one instance (and its HTTP client) can serve any number of sandboxes and
 * threads.
 */
public final class ConnectionConfig {

    /** The header that carries the API key, on lifecycle and execd calls alike. */
    public static final String API_KEY_HEADER = "OPEN-SANDBOX-API-KEY";

    static final String DEFAULT_URL = "http://127.0.0.1:8000";
    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_STREAM_IDLE_TIMEOUT = Duration.ofMinutes(2);

    private final URI baseUrl;
    private final Optional<String> apiKey;
    private final Map<String, String> headers;
    private final Duration requestTimeout;
    private final Duration streamIdleTimeout;
    private final HttpClient httpClient;

    private ConnectionConfig(Builder builder) {
        this.baseUrl = normalize(builder.baseUrl);
        this.apiKey = Optional.ofNullable(builder.apiKey).filter(key -> !key.isBlank());
        this.headers = Map.copyOf(builder.headers);
        this.requestTimeout = builder.requestTimeout;
        this.streamIdleTimeout = builder.streamIdleTimeout;
        this.httpClient = builder.httpClient != null
                ? builder.httpClient
                : HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(requestTimeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
    }

    /** A server at {@code baseUrl}; the API key comes from {@code OPEN_SANDBOX_API_KEY}, if set. */
    public static ConnectionConfig of(String baseUrl) {
        return builder().baseUrl(baseUrl).build();
    }

    /** A server at {@code baseUrl} with the given API key. */
    public static ConnectionConfig of(String baseUrl, String apiKey) {
        return builder().baseUrl(baseUrl).apiKey(apiKey).build();
    }

    /** Everything from the environment ({@code OPEN_SANDBOX_DOMAIN}, default {@value #DEFAULT_URL}). */
    public static ConnectionConfig fromEnvironment() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder(System.getenv());
    }

    static Builder builder(Map<String, String> environment) {
        return new Builder(environment);
    }

    /** The server's base URL, without {@code /v1}. */
    public URI baseUrl() {
        return baseUrl;
    }

    /** {@code http} or {@code https}: also the scheme of the execd endpoints the server hands out. */
    public String scheme() {
        return baseUrl.getScheme();
    }

    public Optional<String> apiKey() {
        return apiKey;
    }

    /** Extra headers sent on every call. */
    public Map<String, String> headers() {
        return headers;
    }

    /** How long a call may wait for the answer's headers (and a non-streamed answer for each chunk of its body). */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /**
     * How long a streamed answer (command output, code results, downloads) may stay silent before the call fails.
     * execd sends a keep-alive every few seconds, so this only fires when the connection is really stuck.
     */
    public Duration streamIdleTimeout() {
        return streamIdleTimeout;
    }

    HttpClient httpClient() {
        return httpClient;
    }

    /** The headers of every call: the extra ones and the API key. */
    Map<String, String> requestHeaders() {
        Map<String, String> all = new LinkedHashMap<>(headers);
        apiKey.ifPresent(key -> all.put(API_KEY_HEADER, key));
        return all;
    }

    static URI normalize(String url) {
        return normalize(url, true);
    }

    /** An execd's base URL: like the server's, but its path is kept as it is (only a trailing slash goes). */
    static URI normalizeExecd(String url) {
        return normalize(url, false);
    }

    private static URI normalize(String url, boolean stripVersion) {
        String text = url.strip();
        if (!text.contains("://")) {
            text = "http://" + text;
        }
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + url + "' is not a URL like http://127.0.0.1:8000", e);
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("'" + url + "' must be an http:// or https:// URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("'" + url + "' names no host; expected e.g. http://127.0.0.1:8000");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("'" + url + "' must not have a query or fragment");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (stripVersion && path.endsWith("/v1")) {
            path = path.substring(0, path.length() - 3);
        }
        return URI.create(uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority() + path);
    }

    @Override
    public String toString() {
        return "ConnectionConfig[" + baseUrl + (apiKey.isPresent() ? ", with API key" : "") + ", timeout "
                + requestTimeout + "]";
    }

    /** Headers the JDK's HTTP client manages and refuses to take from callers. */
    private static final Set<String> RESTRICTED_HEADERS =
            Set.of("connection", "content-length", "expect", "host", "upgrade");

    /** Builds a {@link ConnectionConfig}; every setting is optional. */
    public static final class Builder {
        private String baseUrl;
        private String apiKey;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration streamIdleTimeout = DEFAULT_STREAM_IDLE_TIMEOUT;
        private HttpClient httpClient;

        private Builder(Map<String, String> environment) {
            this.baseUrl = Optional.ofNullable(environment.get("OPEN_SANDBOX_DOMAIN"))
                    .filter(value -> !value.isBlank())
                    .orElse(DEFAULT_URL);
            this.apiKey = environment.get("OPEN_SANDBOX_API_KEY");
        }

        /** The server, e.g. {@code http://127.0.0.1:8000} or {@code moat.example.com:8000} (http is assumed). */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return this;
        }

        public Builder apiKey(String apiKey) {
            this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
            return this;
        }

        /** An extra header for every call (for instance {@code X-EXECD-ACCESS-TOKEN} when talking to execd). */
        public Builder header(String name, String value) {
            if (RESTRICTED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("the HTTP client sets the " + name + " header itself");
            }
            headers.put(name, Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        public Builder streamIdleTimeout(Duration timeout) {
            this.streamIdleTimeout = positive(timeout, "streamIdleTimeout");
            return this;
        }

        /** Use this HTTP client instead of a new one (to share a connection pool, an executor or TLS settings). */
        public Builder httpClient(HttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "client");
            return this;
        }

        public ConnectionConfig build() {
            return new ConnectionConfig(this);
        }

        private static Duration positive(Duration duration, String name) {
            if (duration == null || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + duration);
            }
            return duration;
        }
    }
}
