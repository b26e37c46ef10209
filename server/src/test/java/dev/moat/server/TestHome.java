package dev.moat.server;

import dev.moat.builder.BaseImage;
import dev.moat.builder.ImageStore;
import dev.moat.builder.Progress;
import dev.moat.builder.TreeDeleter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A Moat home for one test run, in a fresh temporary directory: its {@code images/} is a link to the images of the
 * shared test home ({@code $MOAT_TEST_HOME}, default {@code /var/tmp/moat-test-home}), where the real base image is
 * built once per machine; its sandboxes, workspaces and logs are its own.
 */
record TestHome(Path directory) {

    static final String BASE_IMAGE = BaseImage.REFERENCE.toString();

    private static boolean baseReady;

    /** The Moat home every test module shares for images. */
    static Path shared() {
        return Path.of(System.getenv().getOrDefault("MOAT_TEST_HOME", "/var/tmp/moat-test-home"));
    }

    /** Builds the base image in the shared home unless it is there (once, even with several test JVMs). */
    static synchronized void ensureBaseImage() {
        if (baseReady) {
            return;
        }
        try {
            BaseImage.ensure(ImageStore.inHome(shared()), Progress.timed(new PrintWriter(System.out, true)));
            baseReady = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the test base image", e);
        }
    }

    /** A new home with the shared images (built first if missing). Short path: sandbox sockets live below it. */
    static TestHome create() {
        ensureBaseImage();
        try {
            // searchable by others like a usual ~/.moat (a private home moves bundles to /var/lib/moat, see BundleRoot)
            Path directory = Files.createTempDirectory(
                    Path.of("/tmp"),
                    "moat-srv-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            Files.createSymbolicLink(
                    directory.resolve("images"),
                    ImageStore.inHome(shared()).root().toAbsolutePath());
            Files.createDirectories(directory.resolve("workspaces"));
            return new TestHome(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where sandboxes' {@code /workspace} directories go ({@code DEFAULT_MOUNT_DIR}). */
    Path workspaces() {
        return directory.resolve("workspaces");
    }

    /** The execd runtime this build made, mounted at {@code /opt/moat} in sandboxes. */
    static Path runtime() {
        Path runtime =
                Path.of("..", "execd", "target", "opt-moat").toAbsolutePath().normalize();
        if (!Files.isRegularFile(runtime.resolve("execd.jar"))) {
            throw new IllegalStateException(
                    "no execd runtime at " + runtime + "; build with ./mvnw -pl server -am verify");
        }
        return runtime;
    }

    /** Removes the home (never following the link: the shared images stay). */
    void delete() {
        try {
            TreeDeleter.delete(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
