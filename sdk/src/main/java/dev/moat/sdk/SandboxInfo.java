package dev.moat.sdk;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A sandbox as the lifecycle API describes it.
 *
 * @param id its id
 * @param image the image it was created from (absent in a create answer, and for snapshot restores)
 * @param snapshotId the snapshot it was restored from, if any
 * @param platform its platform constraint, if one was given
 * @param status its state and why
 * @param metadata the key-value metadata given at creation (and patched since)
 * @param entrypoint its entry process
 * @param expiresAt when it will be removed; absent for sandboxes that never expire
 * @param createdAt when it was created
 */
public record SandboxInfo(
        String id,
        Optional<String> image,
        Optional<String> snapshotId,
        Optional<Platform> platform,
        SandboxStatus status,
        Map<String, String> metadata,
        List<String> entrypoint,
        Optional<Instant> expiresAt,
        Instant createdAt) {

    /** Shortcut for {@code status().state()}. */
    public SandboxState state() {
        return status.state();
    }

    static SandboxInfo read(Object json) {
        JsonObject sandbox = JsonObject.of(json, "the sandbox");
        return new SandboxInfo(
                sandbox.string("id"),
                sandbox.optionalObject("image").map(image -> image.string("uri")),
                sandbox.optionalString("snapshotId"),
                sandbox.optionalObject("platform").map(p -> new Platform(p.string("os"), p.string("arch"))),
                SandboxStatus.read(sandbox.object("status")),
                sandbox.stringMap("metadata"),
                sandbox.stringList("entrypoint"),
                sandbox.optionalTime("expiresAt"),
                sandbox.time("createdAt"));
    }
}
