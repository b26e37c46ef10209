package dev.moat.backend.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A sandbox's root file system: an overlay whose lower layer is the image's {@code rootfs/}, shared read-only by every
 * sandbox of that image, and whose upper layer is the sandbox's own. With a user namespace the lower layer is an
 * idmapped mount of the image (its root-owned files appear owned by the sandbox's root), so one copy of an image on
 * disk serves sandboxes of any uid range; files copied up belong to the sandbox's host range.
 */
final class OverlayRootfs {

    private OverlayRootfs() {}

    /** Mounts the overlay at {@code bundle.rootfs()}; {@code userns} is the namespace descriptor and its host base. */
    static void mount(BundleLayout bundle, Path image, Optional<IdmappedOwner> userns) throws IOException {
        Files.createDirectories(bundle.upper());
        Files.createDirectories(bundle.work());
        Files.createDirectories(bundle.rootfs());
        if (userns.isEmpty()) {
            LinuxMounts.mountOverlay(bundle.rootfs(), image, bundle.upper(), bundle.work());
            return;
        }
        IdmappedOwner owner = userns.get();
        owner.chown(bundle.upper());
        owner.chown(bundle.work());
        Files.createDirectories(bundle.lower());
        LinuxMounts.bindIdmapped(image, bundle.lower(), owner.usernsFd());
        try {
            LinuxMounts.mountOverlay(bundle.rootfs(), bundle.lower(), bundle.upper(), bundle.work());
        } finally {
            // The overlay holds its own reference to the idmapped layer: the mount point is no longer needed.
            LinuxMounts.unmount(bundle.lower());
        }
    }

    /** Gives {@code path} to host uid and gid {@code id}. */
    static void chown(Path path, long id) throws IOException {
        Files.setAttribute(path, "unix:uid", (int) id);
        Files.setAttribute(path, "unix:gid", (int) id);
    }

    /** A user namespace to idmap with and the host id that owns the sandbox's own directories. */
    record IdmappedOwner(int usernsFd, long hostId) {
        void chown(Path path) throws IOException {
            OverlayRootfs.chown(path, hostId);
        }
    }
}
