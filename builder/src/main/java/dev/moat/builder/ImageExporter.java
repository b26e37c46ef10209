package dev.moat.builder;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.moat.core.spi.SandboxException;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Exports a stored image as a docker-archive that {@code docker load} and {@code skopeo} accept: one layer tar of the
 * root file system, a config whose {@code rootfs.diff_ids} names that layer's digest, {@code manifest.json} and
 * {@code repositories}. The file appears only when complete.
 */
public final class ImageExporter {

    private final ImageStore store;
    private final Progress progress;

    public ImageExporter(ImageStore store, Progress progress) {
        this.store = store;
        this.progress = progress;
    }

    /** Writes {@code reference} to {@code target}, replacing a file that is there. */
    public void export(ImageReference reference, Path target) throws InterruptedException {
        Path directory = target.toAbsolutePath().getParent();
        try (ImageLock lock = store.lock(reference)) {
            StoredImage image = store.require(lock.reference());
            if (!Files.isDirectory(directory)) {
                throw new SandboxException(
                        SandboxException.Kind.INVALID_SPEC,
                        "cannot export to " + target + ": " + directory + " does not exist");
            }
            if (Files.isDirectory(target)) {
                throw new SandboxException(
                        SandboxException.Kind.INVALID_SPEC,
                        "cannot export to " + target + ": it is a directory; give the archive's file name");
            }
            Path layer = Files.createTempFile(directory, ".moat-layer-", ".tar");
            Path partial = Files.createTempFile(directory, ".moat-export-", ".tar");
            try {
                progress.report("writing the root file system of " + reference);
                String diffId = writeLayer(image, layer);
                byte[] config = OciImageConfig.forExport(image.config(), diffId, "moat image export " + reference);
                String configDigest = Sha256.of(config);
                writeArchive(reference, layer, diffId, config, configDigest, partial);
                Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-r--r--"));
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                progress.report("exported " + reference + " to " + target + " (" + Files.size(target) / 1_000_000
                        + " MB, image id " + configDigest + ")");
            } finally {
                Files.deleteIfExists(layer);
                Files.deleteIfExists(partial);
            }
        } catch (IOException e) {
            throw new SandboxException(
                    SandboxException.Kind.FAILED,
                    "cannot export " + reference + " to " + target + ": " + IoMessages.describe(e),
                    e);
        }
    }

    /** Writes the layer tar and answers its digest, the layer's diff id. */
    private static String writeLayer(StoredImage image, Path layer) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        try (OutputStream out =
                new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(layer), 1 << 16), digest)) {
            RootfsTarWriter.write(image.rootfs(), out);
        }
        return Sha256.format(digest.digest());
    }

    private static void writeArchive(
            ImageReference reference, Path layer, String diffId, byte[] config, String configDigest, Path archive)
            throws IOException {
        String layerId = diffId.substring("sha256:".length());
        String configName = configDigest.substring("sha256:".length()) + ".json";
        String layerName = layerId + "/layer.tar";
        ObjectNode manifest = ArchiveJson.MAPPER.createObjectNode();
        manifest.put("Config", configName);
        manifest.putArray("RepoTags").add(reference.toString());
        manifest.putArray("Layers").add(layerName);
        ArrayNode manifests = ArchiveJson.MAPPER.createArrayNode().add(manifest);
        ObjectNode repositories = ArchiveJson.MAPPER.createObjectNode();
        repositories.putObject(reference.name()).put(reference.tag(), layerId);
        try (TarArchiveOutputStream tar =
                new TarArchiveOutputStream(new BufferedOutputStream(Files.newOutputStream(archive), 1 << 16))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            Instant now = Instant.now();
            addDirectory(tar, layerId + "/", now);
            addFile(tar, layerId + "/VERSION", "1.0".getBytes(StandardCharsets.UTF_8), now);
            addFile(tar, layerName, layer, now);
            addFile(tar, configName, config, now);
            addFile(tar, "manifest.json", ArchiveJson.bytes(manifests), now);
            addFile(tar, "repositories", ArchiveJson.bytes(repositories), now);
            tar.finish();
        }
    }

    private static void addDirectory(TarArchiveOutputStream tar, String name, Instant time) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setModTime(time.toEpochMilli());
        entry.setMode(0040755);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static void addFile(TarArchiveOutputStream tar, String name, byte[] content, Instant time)
            throws IOException {
        addFile(tar, name, new ByteArrayInputStream(content), content.length, time);
    }

    private static void addFile(TarArchiveOutputStream tar, String name, Path file, Instant time) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            addFile(tar, name, in, Files.size(file), time);
        }
    }

    private static void addFile(TarArchiveOutputStream tar, String name, InputStream content, long size, Instant time)
            throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(size);
        entry.setModTime(time.toEpochMilli());
        entry.setMode(0100644);
        tar.putArchiveEntry(entry);
        content.transferTo(tar);
        tar.closeArchiveEntry();
    }
}
