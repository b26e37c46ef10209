package dev.moat.sdk;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The lifecycle API of a server ({@code /v1/sandboxes…}) for sandboxes by id: list, inspect, pause, resume, renew,
 * kill, patch metadata, find endpoints. {@link Sandbox} uses it for its own sandbox; use it directly to manage
 * sandboxes you hold no {@link Sandbox} for. Safe for concurrent use.
 */
public final class SandboxManager {

    private final ConnectionConfig connection;
    private final HttpTransport lifecycle;

    private SandboxManager(ConnectionConfig connection) {
        this.connection = connection;
        this.lifecycle = new HttpTransport(connection, URI.create(connection.baseUrl() + "/v1"), Map.of());
    }

    public static SandboxManager of(ConnectionConfig connection) {
        return new SandboxManager(Objects.requireNonNull(connection, "connection"));
    }

    public ConnectionConfig connection() {
        return connection;
    }

    /** One page of the sandboxes that match. */
    public SandboxPage list(SandboxFilter filter) {
        return lifecycle.json("GET", "/sandboxes" + filter.query(), null, SandboxPage::read);
    }

    /** Every sandbox that matches, page after page (the filter's page number is where it starts). */
    public List<SandboxInfo> listAll(SandboxFilter filter) {
        List<SandboxInfo> all = new ArrayList<>();
        SandboxFilter current = filter;
        while (true) {
            SandboxPage page = list(current);
            all.addAll(page.items());
            if (!page.hasNextPage() || page.items().isEmpty()) {
                return List.copyOf(all);
            }
            current = current.withPage(page.page() + 1);
        }
    }

    public SandboxInfo get(String sandboxId) {
        return lifecycle.json("GET", sandboxPath(sandboxId), null, SandboxInfo::read);
    }

    /** Deletes a sandbox: its processes stop and it goes through Stopping to Terminated. */
    public void kill(String sandboxId) {
        lifecycle.call("DELETE", sandboxPath(sandboxId), null);
    }

    /** Asks the server to pause a sandbox; it passes through Pausing to Paused (see {@link Sandbox#pause()}). */
    public void pause(String sandboxId) {
        lifecycle.call("POST", sandboxPath(sandboxId) + "/pause", null);
    }

    /** Asks the server to resume a paused sandbox; it passes through Resuming to Running. */
    public void resume(String sandboxId) {
        lifecycle.call("POST", sandboxPath(sandboxId) + "/resume", null);
    }

    /** Moves a sandbox's expiry to {@code timeout} from now; returns the new expiry as the server set it. */
    public Instant renew(String sandboxId, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        return renewUntil(sandboxId, Instant.now().plus(timeout));
    }

    /** Sets a sandbox's expiry to {@code expiresAt}, which must be later than the current one. */
    public Instant renewUntil(String sandboxId, Instant expiresAt) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("expiresAt", Times.format(expiresAt));
        return lifecycle.json(
                "POST",
                sandboxPath(sandboxId) + "/renew-expiration",
                body,
                json -> JsonObject.of(json, "the renewal").time("expiresAt"));
    }

    /** Sets metadata keys to values and removes others (a JSON merge patch); returns the updated sandbox. */
    public SandboxInfo patchMetadata(String sandboxId, Map<String, String> set, Collection<String> remove) {
        Map<String, Object> patch = new LinkedHashMap<>();
        set.forEach((key, value) -> patch.put(key, Objects.requireNonNull(value, "value of " + key)));
        for (String key : remove) {
            if (set.containsKey(key)) {
                throw new IllegalArgumentException("metadata key '" + key + "' is both set and removed");
            }
            patch.put(key, null);
        }
        return lifecycle.json("PATCH", sandboxPath(sandboxId) + "/metadata", patch, SandboxInfo::read);
    }

    /** How to reach a port of a sandbox. */
    public Endpoint endpoint(String sandboxId, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be from 1 to 65535, got " + port);
        }
        return lifecycle.json("GET", sandboxPath(sandboxId) + "/endpoints/" + port, null, Endpoint::read);
    }

    /** Creates a sandbox from a request body; the answer is the sandbox, usually still Pending. */
    SandboxInfo create(Map<String, Object> request) {
        return lifecycle.json("POST", "/sandboxes", request, SandboxInfo::read);
    }

    private static String sandboxPath(String sandboxId) {
        return "/sandboxes/" + Urls.segment(Commands.nonBlank(sandboxId, "sandboxId"));
    }
}
