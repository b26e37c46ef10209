package dev.moat.backend.oci;

import java.nio.file.Path;

/** An image in the store: {@code $MOAT_HOME/images/<name>/<tag>/} with its {@code rootfs/} and configuration. */
public record StoredImage(String name, String tag, Path directory, ImageConfig config) {

    /** {@code name:tag}. */
    public String reference() {
        return name + ":" + tag;
    }

    /** The image's root file system: the shared, read-only lower layer of every sandbox made from it. */
    public Path rootfs() {
        return directory.resolve("rootfs");
    }
}
