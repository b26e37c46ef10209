package dev.moat.server;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.moat.core.SandboxManager;
import dev.moat.core.SandboxRecord;
import dev.moat.http.Exchange;
import dev.moat.http.Router;
import dev.moat.protocol.CreateSandboxRequest;
import dev.moat.protocol.Endpoint;
import dev.moat.protocol.ListSandboxesResponse;
import dev.moat.protocol.PaginationInfo;
import dev.moat.protocol.RenewExpiration;
import dev.moat.protocol.SandboxState;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The OpenSandbox lifecycle API ({@code sandbox-lifecycle.yml}), served at {@code /v1/...} and at the same paths
 * without {@code /v1}. Snapshots answer 501 NOT_SUPPORTED.
 */
final class LifecycleRoutes {

    private static final int MAX_PAGE_SIZE = 1000;

    private final SandboxManager manager;
    private final CreateRequestReader reader;
    private final ImageCatalog images;
    private final java.time.Duration maxTimeout;

    LifecycleRoutes(SandboxManager manager, ServerConfig config, ImageCatalog images) {
        this.manager = manager;
        this.maxTimeout = config.maxTimeout();
        this.reader = new CreateRequestReader(config);
        this.images = images;
    }

    void addTo(Router.Builder routes) {
        for (String prefix : List.of("/v1", "")) {
            routes.post(prefix + "/sandboxes", this::create)
                    .get(prefix + "/sandboxes", this::list)
                    .get(prefix + "/sandboxes/{id}", this::get)
                    .delete(prefix + "/sandboxes/{id}", this::delete)
                    .patch(prefix + "/sandboxes/{id}/metadata", this::patchMetadata)
                    .post(prefix + "/sandboxes/{id}/pause", this::pause)
                    .post(prefix + "/sandboxes/{id}/resume", this::resume)
                    .post(prefix + "/sandboxes/{id}/renew-expiration", this::renew)
                    .get(prefix + "/sandboxes/{id}/endpoints/{port}", this::endpoint)
                    .post(prefix + "/sandboxes/{id}/snapshots", LifecycleRoutes::snapshots)
                    .get(prefix + "/snapshots", LifecycleRoutes::snapshots)
                    .get(prefix + "/snapshots/{snapshotId}", LifecycleRoutes::snapshots)
                    .delete(prefix + "/snapshots/{snapshotId}", LifecycleRoutes::snapshots)
                    .post(prefix + "/metrics/events", exchange -> {
                        exchange.readOptionalJson(Map.class);
                        exchange.sendEmpty(204);
                    });
        }
    }

    /**
     * Creates a sandbox. {@code Server-Timing: create;dur=<ms>;desc="pool"|"cold"} says how long the server spent on
     * the request (a hand-out from the pool, or the start of a cold create) before it answered.
     */
    private void create(Exchange exchange) throws Exception {
        long started = System.nanoTime();
        CreateSandboxRequest request = exchange.readJson(CreateSandboxRequest.class);
        dev.moat.core.SandboxRequest sandbox = reader.read(request);
        images.requireKnown(sandbox.image());
        SandboxRecord record = manager.create(sandbox);
        exchange.header("Location", "/v1/sandboxes/" + record.id());
        exchange.header("Server-Timing", serverTiming(started, record));
        exchange.sendJson(202, SandboxViews.created(record));
    }

    private static String serverTiming(long startedNanos, SandboxRecord record) {
        double millis = (System.nanoTime() - startedNanos) / 1e6;
        String source = record.state() == SandboxState.Running ? "pool" : "cold";
        return String.format(java.util.Locale.ROOT, "create;dur=%.3f;desc=\"%s\"", millis, source);
    }

    private void list(Exchange exchange) throws Exception {
        Set<SandboxState> states = exchange.queryAll("state").stream()
                .flatMap(value -> Arrays.stream(value.split(",")))
                .map(String::strip)
                .filter(value -> !value.isEmpty())
                .map(LifecycleRoutes::state)
                .collect(Collectors.toSet());
        Map<String, String> metadata =
                exchange.query("metadata").map(LifecycleRoutes::metadataFilter).orElse(Map.of());
        int page = positive(exchange, "page", 1);
        int pageSize = Math.min(positive(exchange, "pageSize", 20), MAX_PAGE_SIZE);
        List<SandboxRecord> matching = manager.list().stream()
                .filter(record -> states.isEmpty() || states.contains(record.state()))
                .filter(record -> record.metadata().entrySet().containsAll(metadata.entrySet()))
                .toList();
        int total = matching.size();
        int totalPages = (total + pageSize - 1) / pageSize;
        List<dev.moat.protocol.SandboxResource> items = matching.stream()
                .skip((long) (page - 1) * pageSize)
                .limit(pageSize)
                .map(SandboxViews::full)
                .toList();
        exchange.sendJson(
                200,
                new ListSandboxesResponse(
                        items, new PaginationInfo(page, pageSize, total, totalPages, page < totalPages)));
    }

    private static SandboxState state(String value) {
        for (SandboxState state : SandboxState.values()) {
            if (state.name().equalsIgnoreCase(value)) {
                return state;
            }
        }
        throw ServerError.INVALID_REQUEST.exception(
                "state '%s' is not a sandbox state; one of %s", value, Arrays.toString(SandboxState.values()));
    }

    /** {@code metadata=project%3DApollo%26note%3DDemo%2520Test}: a URL-encoded query string of key=value pairs. */
    private static Map<String, String> metadataFilter(String value) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String pair : value.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                throw ServerError.INVALID_REQUEST.exception("metadata filter '%s' is not key=value", pair);
            }
            try {
                pairs.put(
                        URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw ServerError.INVALID_REQUEST.exception("metadata filter '%s' is not URL-encoded correctly", pair);
            }
        }
        return pairs;
    }

    private static int positive(Exchange exchange, String name, int fallback) {
        long value = exchange.queryLong(name).orElse((long) fallback);
        if (value < 1 || value > Integer.MAX_VALUE) {
            throw ServerError.INVALID_REQUEST.exception("%s must be a whole number of at least 1, got %d", name, value);
        }
        return (int) value;
    }

    private void get(Exchange exchange) throws Exception {
        exchange.sendJson(200, SandboxViews.full(manager.require(exchange.pathParameter("id"))));
    }

    private void delete(Exchange exchange) throws Exception {
        manager.delete(exchange.pathParameter("id"));
        exchange.sendEmpty(204);
    }

    private void patchMetadata(Exchange exchange) throws Exception {
        String id = exchange.pathParameter("id");
        Map<String, String> body = exchange.readJson(new TypeReference<Map<String, String>>() {});
        Map<String, Optional<String>> patch = new LinkedHashMap<>();
        body.forEach((key, value) -> {
            MetadataRules.checkKey(key);
            if (value != null) {
                MetadataRules.checkValue(key, value);
            }
            patch.put(key, Optional.ofNullable(value));
        });
        exchange.sendJson(200, SandboxViews.full(manager.patchMetadata(id, patch)));
    }

    private void pause(Exchange exchange) throws Exception {
        manager.pause(exchange.pathParameter("id"));
        exchange.sendEmpty(202);
    }

    private void resume(Exchange exchange) throws Exception {
        manager.resume(exchange.pathParameter("id"));
        exchange.sendEmpty(202);
    }

    private void renew(Exchange exchange) throws Exception {
        manager.require(exchange.pathParameter("id")); // an unknown sandbox is 404 whatever the body says
        RenewExpiration body = exchange.readJson(RenewExpiration.class);
        if (body.expiresAt() == null) {
            throw ServerError.INVALID_REQUEST.exception("expiresAt is required (RFC 3339, e.g. 2030-01-01T00:00:00Z)");
        }
        Instant expiresAt;
        try {
            expiresAt = java.time.OffsetDateTime.parse(body.expiresAt()).toInstant();
        } catch (DateTimeParseException e) {
            throw ServerError.INVALID_REQUEST.exception(
                    "expiresAt '%s' is not an RFC 3339 time like 2030-01-01T00:00:00Z", body.expiresAt());
        }
        Instant latest = Instant.now().plus(maxTimeout);
        if (expiresAt.isAfter(latest)) {
            throw ServerError.INVALID_REQUEST.exception(
                    "expiresAt %s is more than the server's maximum of %d seconds from now (MOAT_MAX_TIMEOUT_SECONDS);"
                            + " renew again later",
                    body.expiresAt(), maxTimeout.toSeconds());
        }
        SandboxRecord record = manager.renew(exchange.pathParameter("id"), expiresAt);
        exchange.sendJson(
                200, new RenewExpiration(SandboxViews.time(record.expiresAt().orElseThrow())));
    }

    private void endpoint(Exchange exchange) throws Exception {
        String id = exchange.pathParameter("id");
        int port = port(exchange.pathParameter("port"));
        boolean useServerProxy = exchange.queryBoolean("use_server_proxy").orElse(false);
        if (exchange.query("expires").isPresent()) {
            if (useServerProxy) {
                throw ServerError.INVALID_REQUEST.exception("expires cannot be combined with use_server_proxy=true");
            }
            throw ServerError.NOT_SUPPORTED.exception("signed endpoints (expires) are not supported by Moat");
        }
        manager.require(id);
        String host = exchange.header("Host").orElse("127.0.0.1");
        exchange.sendJson(200, new Endpoint(host + SandboxProxy.path(id, port), Map.of()));
    }

    static int port(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw ServerError.INVALID_REQUEST.exception("port must be a number from 1 to 65535, got '%s'", value);
    }

    private static void snapshots(Exchange exchange) {
        throw ServerError.NOT_SUPPORTED.exception("snapshots are not supported by Moat yet");
    }
}
