package dev.moat.builder;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moat.core.spi.SandboxException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads {@code docker save} output: {@code manifest.json} lists each image's config file and layer tars. Docker 25 and
 * newer name them by digest ({@code blobs/sha256/<hex>}), older Docker as {@code <id>.json} and
 * {@code <id>/layer.tar}; digests carried in names are verified.
 */
final class DockerArchiveFormat {

    static final String MANIFEST = "manifest.json";

    private DockerArchiveFormat() {}

    static ImageSource read(ImageArchive archive, ImageReference requested) throws IOException {
        JsonNode manifest = ArchiveJson.parse(archive.readSmall(MANIFEST, "its manifest.json"), "manifest.json");
        if (manifest == null || !manifest.isArray() || manifest.isEmpty()) {
            throw invalid("manifest.json lists no image");
        }
        JsonNode image = choose(manifest, requested);
        String configPath = image.path("Config").asText("");
        byte[] config = archive.readSmall(configPath, "the image configuration '" + configPath + "'");
        String configDigest = Sha256.of(config);
        Optional<BlobDigest> named = BlobDigest.inPath(configPath);
        if (named.isPresent() && !named.get().matches(configDigest)) {
            throw invalid("the image configuration '" + configPath + "' does not match its digest");
        }
        List<ImageSource.Layer> layers = new ArrayList<>();
        for (JsonNode layer : image.path("Layers")) {
            String path = layer.asText();
            layers.add(new ImageSource.Layer(path, BlobDigest.inPath(path), Optional.empty()));
        }
        return new ImageSource("docker-archive", config, configDigest, layers);
    }

    /** The one image of the archive, or the one tagged {@code requested} when it holds several. */
    private static JsonNode choose(JsonNode manifest, ImageReference requested) {
        if (manifest.size() == 1) {
            return manifest.get(0);
        }
        List<String> tags = new ArrayList<>();
        for (JsonNode image : manifest) {
            for (JsonNode tag : image.path("RepoTags")) {
                if (tag.asText().equals(requested.toString())) {
                    return image;
                }
                tags.add(tag.asText());
            }
        }
        throw invalid("the archive holds " + manifest.size() + " images (" + String.join(", ", tags)
                + "); name the one to import with --name");
    }

    private static SandboxException invalid(String message) {
        return new SandboxException(SandboxException.Kind.INVALID_SPEC, message);
    }
}
