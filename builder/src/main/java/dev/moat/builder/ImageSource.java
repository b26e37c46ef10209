package dev.moat.builder;

import java.util.List;
import java.util.Optional;

/**
 * One image found in an archive: its configuration blob and its layers, bottom first, each with what the format lets
 * us verify it against.
 *
 * @param format what kind of archive it came from, for messages ({@code docker-archive}, {@code OCI layout})
 * @param config the configuration blob (JSON)
 * @param configDigest the digest of {@code config}: the image's id
 * @param layers the layer blobs, bottom first
 */
record ImageSource(String format, byte[] config, String configDigest, List<Layer> layers) {

    /**
     * A layer blob.
     *
     * @param path where it is in the archive
     * @param digest the digest of the stored (possibly compressed) blob, when the format names one
     * @param size the stored blob's size in bytes, when the format gives it
     */
    record Layer(String path, Optional<BlobDigest> digest, Optional<Long> size) {}

    ImageSource {
        layers = List.copyOf(layers);
    }
}
