package dev.moat.backend.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moat.core.spi.SandboxException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads and writes the {@link SandboxRecord}s in the bundles under {@code $MOAT_HOME/sandboxes}. */
final class SandboxRecords {

    private SandboxRecords() {}

    static void write(BundleLayout bundle, SandboxRecord record, ObjectMapper json) throws IOException {
        Path temporary = bundle.record().resolveSibling("sandbox.json.tmp");
        json.writeValue(temporary.toFile(), record);
        Files.move(temporary, bundle.record(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The record of {@code bundle}. A bundle without one (its creation was cut short before the record was written)
     * still reads as a sandbox with only the owner label, so that a reconciling server finds and removes it.
     */
    static SandboxRecord read(BundleLayout bundle, ObjectMapper json) {
        try {
            if (!Files.isRegularFile(bundle.record())) {
                Instant created = Files.getLastModifiedTime(bundle.directory()).toInstant();
                return new SandboxRecord(
                        bundle.id(), "", Map.of(OciBackend.OWNER_LABEL, OciBackend.OWNER), created, -1);
            }
            return json.readValue(bundle.record().toFile(), SandboxRecord.class);
        } catch (IOException e) {
            throw new SandboxException(
                    SandboxException.Kind.FAILED,
                    "sandbox " + bundle.id() + ": its record " + bundle.record() + " cannot be read: " + e.getMessage(),
                    e);
        }
    }

    /** Every sandbox's record, in id order; bundles that disappear while being read are skipped. */
    static List<SandboxRecord> all(Path sandboxes, ObjectMapper json) {
        if (!Files.isDirectory(sandboxes)) {
            return List.of();
        }
        List<SandboxRecord> records = new ArrayList<>();
        try (Stream<Path> entries = Files.list(sandboxes)) {
            for (Path directory : entries.filter(Files::isDirectory).sorted().toList()) {
                BundleLayout bundle = new BundleLayout(directory);
                try {
                    records.add(read(bundle, json));
                } catch (SandboxException e) {
                    if (Files.isDirectory(directory)) {
                        throw e;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the sandboxes in " + sandboxes, e);
        }
        return records;
    }
}
