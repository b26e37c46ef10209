package dev.moat.backend.oci;

import dev.moat.builder.BaseImage;
import dev.moat.builder.ImageStore;
import dev.moat.builder.Progress;
import dev.moat.builder.StoredImage;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The images the backend tests run: the real base image ({@link BaseImage}, what {@code ./moat image build base}
 * makes), built once per machine into the Moat home every test module shares ({@code $MOAT_TEST_HOME}, default
 * {@code /var/tmp/moat-test-home}) and reused by every later run.
 */
final class TestImages {

    static final String BASE = BaseImage.REFERENCE.toString();

    private static StoredImage base;

    private TestImages() {}

    static Path home() {
        return Path.of(System.getenv().getOrDefault("MOAT_TEST_HOME", "/var/tmp/moat-test-home"));
    }

    /** The base image in the test home, built first if it is missing (once, even with several test JVMs). */
    static synchronized StoredImage base() {
        if (base == null) {
            try {
                base = BaseImage.ensure(ImageStore.inHome(home()), Progress.timed(new PrintWriter(System.out, true)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while building the test base image", e);
            }
        }
        return base;
    }
}
