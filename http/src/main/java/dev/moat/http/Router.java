package dev.moat.http;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches requests to {@link Route}s by method and {@link PathTemplate}, after running the {@link Filter}s. This is
 * the one place where failures become responses: an {@link ApiException} becomes its category's status and a
 * {@code {code,message}} body, anything else is logged and answered with the API's internal-error category.
 */
public final class Router extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    private final List<Entry> entries;
    private final List<Filter> filters;
    private final ErrorVocabulary errors;
    private final int maxJsonBytes;
    private final java.util.function.Function<RuntimeException, Optional<ApiException>> translator;

    private record Entry(String method, PathTemplate template, Route route) {}

    private Router(Builder builder) {
        super(InvocationType.BLOCKING);
        this.entries = List.copyOf(builder.entries);
        this.filters = List.copyOf(builder.filters);
        this.errors = builder.errors;
        this.maxJsonBytes = builder.maxJsonBytes;
        this.translator = builder.translator;
    }

    public static Builder builder(ErrorVocabulary errors) {
        return new Builder(errors);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getDecodedPath();
        Exchange exchange = new Exchange(request, response, Map.of(), errors, maxJsonBytes);
        try {
            // filters first: an unauthenticated client learns nothing, not even which routes exist
            for (Filter filter : filters) {
                filter.check(exchange);
            }
            Match match = find(request.getMethod(), path == null ? "/" : path);
            request.setAttribute(ROUTE_ATTRIBUTE, match.template());
            exchange = new Exchange(request, response, match.parameters(), errors, maxJsonBytes);
            match.route().handle(exchange);
            exchange.complete(callback);
        } catch (Throwable failure) {
            fail(exchange, failure, callback);
        }
        return true;
    }

    private record Match(Route route, String template, Map<String, String> parameters) {}

    /** The request attribute holding the path template of the route that served it, for metrics. */
    public static final String ROUTE_ATTRIBUTE = "moat.route";

    private Match find(String method, String path) {
        TreeSet<String> allowed = new TreeSet<>();
        for (Entry entry : entries) {
            Optional<Map<String, String>> parameters = entry.template().match(path);
            if (parameters.isEmpty()) {
                continue;
            }
            if (entry.method().equals("*") || entry.method().equalsIgnoreCase(method)) {
                return new Match(entry.route(), entry.template().pattern(), parameters.get());
            }
            allowed.add(entry.method());
        }
        if (!allowed.isEmpty()) {
            throw HttpError.METHOD_NOT_ALLOWED
                    .exception("%s is not allowed on %s; allowed: %s", method, path, String.join(", ", allowed))
                    .withHeader("Allow", String.join(", ", allowed));
        }
        throw HttpError.NOT_FOUND.exception("no route for %s %s", method, path);
    }

    private void fail(Exchange exchange, Throwable failure, Callback callback) {
        Optional<ApiException> translated =
                failure instanceof RuntimeException runtime && !(failure instanceof ApiException)
                        ? translator.apply(runtime)
                        : Optional.empty();
        ApiException api = switch (failure) {
            case ApiException e -> e;
            case RuntimeException e when translated.isPresent() -> translated.get();
            case EofException e -> null;
            case HttpException e
            when e.getCode() >= 400 && e.getCode() < 500 ->
                // Jetty's own refusal of what the client sent, such as a query that is not URL-encoded correctly
                errors.missingParameter().exception("bad request: %s", e.getReason());
            default -> {
                LOG.error("{} {} failed", exchange.method(), exchange.path(), failure);
                yield errors.internal()
                        .exception(
                                "internal error while serving %s %s: %s", exchange.method(), exchange.path(), failure);
            }
        };
        if (api == null || exchange.committed()) {
            // the client is gone, or the answer has begun: nothing can be said any more
            callback.failed(failure);
            return;
        }
        try {
            exchange.discardBody();
            exchange.sendError(api);
            exchange.complete(callback);
        } catch (IOException | RuntimeException e) {
            callback.failed(e);
        }
    }

    /** Collects routes and filters. Routes are tried in the order they were added. */
    public static final class Builder {
        private final List<Entry> entries = new ArrayList<>();
        private final List<Filter> filters = new ArrayList<>();
        private final ErrorVocabulary errors;
        private int maxJsonBytes = 4 * 1024 * 1024;
        private java.util.function.Function<RuntimeException, Optional<ApiException>> translator =
                failure -> Optional.empty();

        private Builder(ErrorVocabulary errors) {
            this.errors = errors;
        }

        public Builder route(String method, String path, Route route) {
            entries.add(new Entry(method, PathTemplate.parse(path), route));
            return this;
        }

        public Builder get(String path, Route route) {
            return route("GET", path, route);
        }

        public Builder post(String path, Route route) {
            return route("POST", path, route);
        }

        public Builder put(String path, Route route) {
            return route("PUT", path, route);
        }

        public Builder patch(String path, Route route) {
            return route("PATCH", path, route);
        }

        public Builder delete(String path, Route route) {
            return route("DELETE", path, route);
        }

        /** A route for every method, such as a proxy. */
        public Builder any(String path, Route route) {
            return route("*", path, route);
        }

        public Builder filter(Filter filter) {
            filters.add(filter);
            return this;
        }

        /** The largest JSON body a route reads with {@link Exchange#readJson}; larger bodies get 413. */
        public Builder maxJsonBytes(int bytes) {
            this.maxJsonBytes = bytes;
            return this;
        }

        /**
         * How this API's own exception types become categorised errors (e.g. a backend's failure kinds); the one place
         * besides {@link ApiException} itself where a failure gets its status.
         */
        public Builder translate(java.util.function.Function<RuntimeException, Optional<ApiException>> translator) {
            this.translator = translator;
            return this;
        }

        public Router build() {
            return new Router(this);
        }
    }
}
