package dev.moat.backend.oci;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What Moat stores with a sandbox in its bundle ({@code sandbox.json}), written before anything else of the sandbox
 * exists on the host, so that a restarted server finds every sandbox it owns, even one whose creation was cut short.
 *
 * @param id the sandbox id
 * @param image the image reference it was created from
 * @param labels its labels, including {@link OciBackend#OWNER_LABEL}
 * @param createdAt when creation began
 * @param uidSlot the {@link UidRanges} slot of its user namespace, -1 when it runs without one
 */
record SandboxRecord(String id, String image, Map<String, String> labels, Instant createdAt, int uidSlot) {

    SandboxRecord {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    Optional<Long> hostUidBase() {
        return uidSlot < 0 ? Optional.empty() : Optional.of(UidRanges.base(uidSlot));
    }

    boolean matches(Map<String, String> selector) {
        return labels.entrySet().containsAll(selector.entrySet());
    }
}
