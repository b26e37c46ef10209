package dev.moat.server;

import dev.moat.core.SandboxRecord;
import dev.moat.protocol.ImageSpec;
import dev.moat.protocol.SandboxResource;
import dev.moat.protocol.SandboxStatus;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** How the lifecycle API shows a sandbox record. */
final class SandboxViews {

    private SandboxViews() {}

    /** The full representation ({@code GET /sandboxes/{id}}, list items). */
    static SandboxResource full(SandboxRecord record) {
        return new SandboxResource(
                record.id(),
                ImageSpec.of(record.image()),
                null,
                null,
                status(record),
                record.metadata(),
                record.entrypoint(),
                record.expiresAt().map(SandboxViews::time).orElse(null),
                time(record.createdAt()));
    }

    /** The create answer: no image, as the spec says. */
    static SandboxResource created(SandboxRecord record) {
        SandboxResource full = full(record);
        return new SandboxResource(
                full.id(),
                null,
                null,
                null,
                full.status(),
                full.metadata(),
                full.entrypoint(),
                full.expiresAt(),
                full.createdAt());
    }

    static SandboxStatus status(SandboxRecord record) {
        return new SandboxStatus(
                record.state(),
                record.reason(),
                record.message() == null || record.message().isEmpty() ? null : record.message(),
                time(record.lastTransitionAt()));
    }

    /** RFC 3339 in UTC, to the millisecond. */
    static String time(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }
}
