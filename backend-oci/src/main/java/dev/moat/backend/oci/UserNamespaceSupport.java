package dev.moat.backend.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Checks once whether this host can give sandboxes user namespaces the way Moat uses them: a user namespace with a
 * mapping made by root, an idmapped bind mount (Linux 5.12+) and an overlay over an idmapped lower layer (5.19+).
 */
final class UserNamespaceSupport {

    private UserNamespaceSupport() {}

    /** Empty when everything works; otherwise what failed. */
    static Optional<String> problem(UserNamespaces namespaces, Path scratch) {
        Path root = scratch.resolve("userns-probe-" + ProcessHandle.current().pid());
        try {
            Path image = Files.createDirectories(root.resolve("image"));
            Files.writeString(image.resolve("file"), "probe");
            BundleLayout bundle = new BundleLayout(root.resolve("bundle"));
            int fd = namespaces.descriptor(new UserNamespaces.Mapping(0, UidRanges.PROBE_BASE, UidRanges.SIZE));
            OverlayRootfs.mount(bundle, image, Optional.of(new OverlayRootfs.IdmappedOwner(fd, UidRanges.PROBE_BASE)));
            try {
                Object owner = Files.getAttribute(bundle.rootfs().resolve("file"), "unix:uid");
                if (((Integer) owner).longValue() != UidRanges.PROBE_BASE) {
                    return Optional.of(
                            "an idmapped overlay showed uid " + owner + " instead of " + UidRanges.PROBE_BASE);
                }
            } finally {
                LinuxMounts.unmount(bundle.rootfs());
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of(e.getMessage());
        } finally {
            namespaces.forget(new UserNamespaces.Mapping(0, UidRanges.PROBE_BASE, UidRanges.SIZE));
            Directories.deleteQuietly(root);
        }
    }
}
