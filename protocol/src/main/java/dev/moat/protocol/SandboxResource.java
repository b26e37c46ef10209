package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A sandbox as the lifecycle API shows it ({@code GET /v1/sandboxes/{id}}, list items, and — without {@code image}
 * and {@code updatedAt} — the create answer). Times are RFC 3339; {@code expiresAt} is absent for sandboxes that
 * never expire.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SandboxResource(
        String id,
        ImageSpec image,
        String snapshotId,
        PlatformSpec platform,
        SandboxStatus status,
        Map<String, String> metadata,
        @JsonInclude(JsonInclude.Include.ALWAYS) List<String> entrypoint,
        String expiresAt,
        String createdAt) {}
