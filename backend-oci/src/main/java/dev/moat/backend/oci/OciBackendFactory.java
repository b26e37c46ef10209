package dev.moat.backend.oci;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.moat.core.spi.Backend;
import dev.moat.core.spi.BackendSettings;
import dev.moat.core.spi.SandboxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the {@code oci} backend (crun or runc) and the {@code gvisor} backend (runsc). Checks the host once at
 * start-up: root, the runtime directory, user namespace support and a probe container per candidate runtime; the
 * result is logged and available from {@link Backend#describe()}.
 */
public final class OciBackendFactory implements Backend.Factory {

    /** Host-wide, so that sandboxes of every MOAT_HOME on this host get distinct uid ranges; tmpfs, gone on reboot. */
    static final Path UID_SLOTS = Path.of("/run/moat-oci/uid-slots");

    private static final Logger LOG = LoggerFactory.getLogger(OciBackendFactory.class);

    static final ObjectMapper JSON = JsonMapper.builder()
            .findAndAddModules()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    @Override
    public Set<String> deployments() {
        return Set.of("oci", "gvisor");
    }

    @Override
    public Backend create(BackendSettings settings) {
        if (!"root".equals(System.getProperty("user.name"))
                && ProcessHandle.current()
                        .info()
                        .user()
                        .map(u -> !u.equals("root"))
                        .orElse(true)) {
            throw unavailable("the " + settings.deployment() + " backend runs containers directly and needs root");
        }
        Path runtimeDirectory = settings.runtimeDirectory();
        for (String file : List.of("tini", "execd.jar", "jvm.args", "runtime/bin/java")) {
            if (!Files.exists(runtimeDirectory.resolve(file))) {
                throw unavailable("the sandbox runtime directory " + runtimeDirectory + " has no " + file
                        + "; build it with: ./mvnw -pl execd -am package");
            }
        }
        Path home = settings.moatHome().toAbsolutePath();
        BundleRoot bundles;
        try {
            bundles = BundleRoot.choose(home, BundleRoot.FALLBACK);
        } catch (IOException e) {
            throw unavailable("cannot prepare a directory for sandbox bundles: " + e.getMessage());
        }
        bundles.relocation().ifPresent(why -> LOG.info("{}", why));
        Path scratch = bundles.directory().resolve("probe");
        Path stateRoot = home.resolve("run").resolve(settings.deployment());
        try {
            Files.createDirectories(scratch);
            Files.createDirectories(stateRoot);
        } catch (IOException e) {
            throw unavailable("cannot create " + scratch + ": " + e.getMessage());
        }
        Cgroups cgroups = Cgroups.detect();
        UserNamespaces namespaces = new UserNamespaces();
        boolean gvisor = settings.deployment().equals("gvisor");
        Optional<String> usernsProblem = gvisor
                ? Optional.of("gVisor isolates with its own kernel instead")
                : UserNamespaceSupport.problem(namespaces, scratch);
        RuntimeDetector.Choice choice = new RuntimeDetector(runtimeDirectory, scratch, stateRoot, JSON)
                .choose(RuntimeDetector.candidates(settings.deployment()), usernsProblem.isEmpty());
        String userns = choice.userNamespaces()
                ? "user namespaces with idmapped mounts (a uid range of " + UidRanges.SIZE + " per sandbox from "
                        + UidRanges.base(0) + ")"
                : "no user namespaces (" + usernsProblem.orElse("the runtime failed with one") + ")";
        String description = choice.version() + " (" + choice.reason() + "); " + cgroups.describe() + "; " + userns;
        LOG.info("{} backend: {}", settings.deployment(), description);
        return new OciBackend(
                settings.deployment(),
                description,
                home,
                bundles.directory(),
                choice.runtime(),
                cgroups,
                choice.userNamespaces(),
                new UidRanges(UID_SLOTS),
                namespaces,
                new BundleBuilder(runtimeDirectory, namespaces, JSON),
                JSON);
    }

    /** Whether this process runs as root: /proc/self belongs to the effective uid. */
    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static SandboxException unavailable(String message) {
        return new SandboxException(SandboxException.Kind.UNAVAILABLE, message);
    }
}
