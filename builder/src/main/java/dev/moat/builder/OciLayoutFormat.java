package dev.moat.builder;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moat.core.spi.SandboxException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads an OCI image layout: {@code oci-layout}, {@code index.json} and content-addressed {@code blobs/}. Follows
 * nested indexes (multi-platform images) to the manifest for this host's platform, and verifies every manifest and
 * config blob against its digest and size (layers are verified while they are applied).
 */
final class OciLayoutFormat {

    static final String LAYOUT_FILE = "oci-layout";
    static final String INDEX = "index.json";

    private static final Set<String> INDEX_TYPES = Set.of(
            "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json");
    private static final String REF_NAME = "org.opencontainers.image.ref.name";
    private static final int MAX_DEPTH = 4;

    /** A content descriptor: what a blob is, its digest and size, and for manifests the platform they are for. */
    private record Descriptor(String mediaType, BlobDigest digest, long size, String platform, String refName) {

        static Descriptor of(JsonNode node) {
            JsonNode platform = node.path("platform");
            String os = platform.path("os").asText("");
            String architecture = platform.path("architecture").asText("");
            return new Descriptor(
                    node.path("mediaType").asText(""),
                    BlobDigest.parse(node.path("digest").asText("")),
                    node.path("size").asLong(-1),
                    os.isEmpty() ? "" : os + "/" + architecture,
                    node.path("annotations").path(REF_NAME).asText(""));
        }
    }

    private OciLayoutFormat() {}

    static ImageSource read(ImageArchive archive, ImageReference requested) throws IOException {
        JsonNode layout = ArchiveJson.parse(archive.readSmall(LAYOUT_FILE, "its oci-layout file"), "oci-layout");
        if (!layout.path("imageLayoutVersion").isTextual()) {
            throw invalid("the oci-layout file has no imageLayoutVersion");
        }
        JsonNode index = ArchiveJson.parse(archive.readSmall(INDEX, "its index.json"), "index.json");
        Descriptor manifest = resolve(archive, index, requested, 0);
        JsonNode manifestJson = ArchiveJson.parse(blob(archive, manifest), "the image manifest " + manifest.digest());
        Descriptor config = Descriptor.of(manifestJson.path("config"));
        byte[] configBytes = blob(archive, config);
        List<ImageSource.Layer> layers = new ArrayList<>();
        for (JsonNode node : manifestJson.path("layers")) {
            Descriptor layer = Descriptor.of(node);
            layers.add(new ImageSource.Layer(
                    layer.digest().layoutPath(),
                    Optional.of(layer.digest()),
                    layer.size() < 0 ? Optional.empty() : Optional.of(layer.size())));
        }
        return new ImageSource("OCI layout", configBytes, config.digest().toString(), layers);
    }

    /** Walks down from an index to the one image manifest to import. */
    private static Descriptor resolve(ImageArchive archive, JsonNode index, ImageReference requested, int depth)
            throws IOException {
        if (depth > MAX_DEPTH) {
            throw invalid("the image index nests deeper than " + MAX_DEPTH + " levels");
        }
        List<Descriptor> all = new ArrayList<>();
        for (JsonNode node : index.path("manifests")) {
            all.add(Descriptor.of(node));
        }
        List<Descriptor> candidates = all.stream()
                .filter(descriptor -> descriptor.platform().isEmpty()
                        || descriptor.platform().equals("linux/" + OciImageConfig.hostArchitecture()))
                .toList();
        if (candidates.size() > 1) {
            List<Descriptor> named = candidates.stream()
                    .filter(descriptor -> descriptor.refName().equals(requested.tag())
                            || descriptor.refName().equals(requested.toString()))
                    .toList();
            if (named.size() != 1) {
                throw invalid("the OCI layout holds " + candidates.size() + " images (ref names: "
                        + String.join(
                                ", ",
                                candidates.stream().map(Descriptor::refName).toList())
                        + "); import one of them by giving its ref name as the tag of --name");
            }
            candidates = named;
        }
        if (candidates.isEmpty()) {
            throw invalid("the OCI layout has no image for linux/" + OciImageConfig.hostArchitecture() + " (it has: "
                    + String.join(", ", all.stream().map(Descriptor::platform).toList()) + ")");
        }
        Descriptor chosen = candidates.getFirst();
        if (INDEX_TYPES.contains(chosen.mediaType())) {
            return resolve(
                    archive,
                    ArchiveJson.parse(blob(archive, chosen), "the image index " + chosen.digest()),
                    requested,
                    depth + 1);
        }
        return chosen;
    }

    /** A manifest or config blob, verified against its descriptor. */
    private static byte[] blob(ImageArchive archive, Descriptor descriptor) throws IOException {
        byte[] bytes = archive.readSmall(descriptor.digest().layoutPath(), "the blob " + descriptor.digest());
        if (!descriptor.digest().matches(descriptor.digest().newDigest().digest(bytes))) {
            throw invalid("the blob " + descriptor.digest() + " does not match its digest");
        }
        if (descriptor.size() >= 0 && descriptor.size() != bytes.length) {
            throw invalid("the blob " + descriptor.digest() + " has " + bytes.length + " bytes, its descriptor says "
                    + descriptor.size());
        }
        return bytes;
    }

    private static SandboxException invalid(String message) {
        return new SandboxException(SandboxException.Kind.INVALID_SPEC, message);
    }
}
