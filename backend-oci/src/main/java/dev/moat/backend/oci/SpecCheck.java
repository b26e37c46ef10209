package dev.moat.backend.oci;

import dev.moat.core.spi.SandboxException;
import dev.moat.core.spi.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Refuses specs the backend cannot honour safely, before anything is created on the host. */
final class SpecCheck {

    /** Targets a mount may not cover or sit under: what every sandbox needs intact. */
    private static final List<String> RESERVED =
            List.of("/proc", "/sys", "/dev", BundleBuilder.RUNTIME_MOUNT, BundleBuilder.RUN_MOUNT, "/tmp");

    private SpecCheck() {}

    static void check(SandboxSpec spec, BundleLayout bundle) {
        int socketLength = bundle.socket().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (socketLength > BundleLayout.MAX_SOCKET_PATH) {
            throw invalid("sandbox " + spec.id() + ": execd's socket path " + bundle.socket() + " is " + socketLength
                    + " bytes, longer than a Unix socket allows (" + BundleLayout.MAX_SOCKET_PATH
                    + "); use a shorter sandbox id or a shorter MOAT_HOME");
        }
        for (String key : spec.env().keySet()) {
            if (key.isEmpty() || key.contains("=") || key.indexOf('\0') >= 0) {
                throw invalid("sandbox " + spec.id() + ": environment variable name '" + key + "' is not valid");
            }
        }
        Set<String> targets = new HashSet<>();
        for (SandboxSpec.Mount mount : spec.mounts()) {
            String target = mount.target();
            if (!Path.of(target).normalize().toString().equals(target) || target.equals("/")) {
                throw invalid("sandbox " + spec.id() + ": mount target '" + target
                        + "' must be a normalised absolute path other than /");
            }
            for (String reserved : RESERVED) {
                if (target.equals(reserved) || target.startsWith(reserved + "/")) {
                    throw invalid("sandbox " + spec.id() + ": mount target '" + target + "' is reserved (" + reserved
                            + " is set up by Moat)");
                }
            }
            if (!targets.add(target)) {
                throw invalid("sandbox " + spec.id() + ": two mounts have the target '" + target + "'");
            }
            if (!Files.exists(mount.source())) {
                throw invalid("sandbox " + spec.id() + ": mount source " + mount.source() + " does not exist");
            }
        }
    }

    private static SandboxException invalid(String message) {
        return new SandboxException(SandboxException.Kind.INVALID_SPEC, message);
    }
}
