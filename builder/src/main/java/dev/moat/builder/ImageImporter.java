package dev.moat.builder;

import dev.moat.core.spi.SandboxException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Imports an image archive into the store: a {@code docker save} archive or an OCI image layout (a directory, or a tar
 * of one; gzip-compressed or not). Layers are applied bottom first into a pending image and checked against the
 * digests the archive names; anything wrong — a bad digest, a hostile path — abandons the import with nothing left.
 */
public final class ImageImporter {

    private final ImageStore store;
    private final Progress progress;

    public ImageImporter(ImageStore store, Progress progress) {
        this.store = store;
        this.progress = progress;
    }

    /** Imports {@code source} as {@code reference}; an existing image of that name is replaced only if {@code force}. */
    public StoredImage importImage(Path source, ImageReference reference, boolean force) throws InterruptedException {
        try (ImageLock lock = store.lock(reference)) {
            if (!force && store.find(reference).isPresent()) {
                throw new SandboxException(
                        SandboxException.Kind.CONFLICT,
                        "image '" + reference + "' already exists; use --force to replace it, or pick another --name");
            }
            try (ImageArchive archive = ImageArchive.open(source);
                    PendingImage pending = store.prepare(lock)) {
                ImageSource image = read(archive, reference, source);
                OciImageConfig config = OciImageConfig.parse(image.config(), image.configDigest(), Instant.now());
                check(config, image);
                progress.report("importing " + source + " (" + image.format() + ", "
                        + image.layers().size() + (image.layers().size() == 1 ? " layer" : " layers") + ") as "
                        + reference);
                LayerApplier applier = new LayerApplier(pending.rootfs(), progress);
                for (int i = 0; i < image.layers().size(); i++) {
                    applyLayer(
                            archive,
                            applier,
                            image.layers().get(i),
                            config.diffIds().get(i),
                            i,
                            image.layers().size());
                }
                StoredImage stored = pending.commit(config.image());
                progress.report("imported " + reference + " (" + image.configDigest() + ")");
                return stored;
            }
        } catch (IOException e) {
            throw new SandboxException(
                    SandboxException.Kind.FAILED, "cannot import " + source + ": " + IoMessages.describe(e), e);
        }
    }

    private static ImageSource read(ImageArchive archive, ImageReference reference, Path source) throws IOException {
        if (archive.has(OciLayoutFormat.LAYOUT_FILE)) {
            return OciLayoutFormat.read(archive, reference);
        }
        if (archive.has(DockerArchiveFormat.MANIFEST)) {
            return DockerArchiveFormat.read(archive, reference);
        }
        throw new SandboxException(
                SandboxException.Kind.INVALID_SPEC,
                source + " is neither a docker-archive (no manifest.json) nor an OCI image layout (no oci-layout)");
    }

    private void check(OciImageConfig config, ImageSource image) {
        if (!config.os().equals("linux")) {
            throw new SandboxException(
                    SandboxException.Kind.INVALID_SPEC,
                    "the image is for " + config.os() + "; Moat runs linux images only");
        }
        if (config.diffIds().size() != image.layers().size()) {
            throw new SandboxException(
                    SandboxException.Kind.INVALID_SPEC,
                    "the image configuration lists " + config.diffIds().size() + " layers and the manifest "
                            + image.layers().size());
        }
        if (!config.architecture().isEmpty() && !config.architecture().equals(OciImageConfig.hostArchitecture())) {
            progress.report("warning: the image is for " + config.architecture() + ", this host is "
                    + OciImageConfig.hostArchitecture() + "; its programs may not run here");
        }
    }

    /**
     * Streams one layer through the applier, digesting the stored blob and the uncompressed tar on the way; a
     * mismatch fails the import after the fact, which is fine because the pending image is then thrown away.
     */
    private void applyLayer(
            ImageArchive archive, LayerApplier applier, ImageSource.Layer layer, String diffId, int index, int count)
            throws IOException {
        String name = "layer " + (index + 1) + "/" + count;
        BlobDigest expectedDiff = BlobDigest.parse(diffId);
        Optional<InputStream> blob = archive.open(layer.path());
        if (blob.isEmpty()) {
            throw new SandboxException(
                    SandboxException.Kind.INVALID_SPEC, "the archive lacks " + name + " (" + layer.path() + ")");
        }
        try (InputStream raw = blob.get()) {
            HashingInputStream stored = new HashingInputStream(
                    raw, layer.digest().orElse(expectedDiff).newDigest());
            BufferedInputStream buffered = new BufferedInputStream(stored, 1 << 16);
            HashingInputStream tar;
            int entries;
            // closing the decompressor frees its native inflater; the hashing stream under it leaves raw open
            try (InputStream decompressed = Compression.decompress(buffered, name)) {
                tar = new HashingInputStream(decompressed, expectedDiff.newDigest());
                entries = applier.apply(tar, name);
                tar.drain();
                buffered.transferTo(OutputStream.nullOutputStream());
            }
            verify(name, layer, expectedDiff, stored, tar);
            progress.report(name + ": " + entries + " entries, " + stored.count() / 1000 + " kB");
        }
    }

    private static void verify(
            String name,
            ImageSource.Layer layer,
            BlobDigest expectedDiff,
            HashingInputStream stored,
            HashingInputStream tar) {
        List<String> problems = new ArrayList<>();
        if (!expectedDiff.matches(tar.digest())) {
            problems.add("its content does not match " + expectedDiff);
        }
        if (layer.digest().isPresent() && !layer.digest().get().matches(stored.digest())) {
            problems.add("its blob does not match " + layer.digest().get());
        }
        if (layer.size().isPresent() && layer.size().get() != stored.count()) {
            problems.add("its blob has " + stored.count() + " bytes, not "
                    + layer.size().get());
        }
        if (!problems.isEmpty()) {
            throw new SandboxException(
                    SandboxException.Kind.INVALID_SPEC,
                    "refusing to import the image: " + name + " is corrupt: " + String.join(", ", problems));
        }
    }
}
