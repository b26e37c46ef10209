package dev.moat.builder;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The base image for tests, built once per machine into a Moat home shared by every test JVM ({@code $MOAT_TEST_HOME},
 * default {@code /var/tmp/moat-test-home}) and rebuilt only when missing or when its recipe changed. Concurrent test
 * JVMs wait for the one that builds it.
 */
final class SharedBaseImage {

    static final Path HOME = Path.of(System.getenv().getOrDefault("MOAT_TEST_HOME", "/var/tmp/moat-test-home"));

    private static StoredImage image;

    private SharedBaseImage() {}

    static ImageStore store() {
        return ImageStore.inHome(HOME);
    }

    static synchronized StoredImage get() throws InterruptedException, IOException {
        if (image == null) {
            assumeBuildable();
            image = BaseImage.ensure(store(), Progress.timed(new PrintWriter(System.out, true)));
        }
        return image;
    }

    /** Skips the calling test, saying why, where mmdebstrap cannot build here. */
    static void assumeBuildable() throws IOException {
        assumeTrue(isRoot(), "building with mmdebstrap needs root here (./moat test runs as root in CI)");
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/mmdebstrap")),
                "mmdebstrap is not installed (./moat test installs it)");
    }

    static boolean isRoot() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }
}
