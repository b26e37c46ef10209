package dev.moat.backend.oci;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The images the backend tests run: a Debian bookworm base built once with mmdebstrap into the tests' own
 * {@code MOAT_HOME} ({@code /var/tmp/moat-oci-test}, or the {@code moat.test.home} property) and reused by every
 * later run. When {@code ./moat image build base} exists, {@link #build} should call it instead.
 */
final class TestImages {

    static final String BASE = "moat/base:latest";
    static final List<String> PACKAGES = List.of("bash", "coreutils", "procps", "python3", "util-linux");
    private static final String MIRROR = "http://deb.debian.org/debian";
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(15);

    private TestImages() {}

    static Path home() {
        return Path.of(System.getProperty("moat.test.home", "/var/tmp/moat-oci-test"));
    }

    /** The base image in the test home, built first if it is missing (once, even with several test JVMs). */
    static StoredImage base() {
        ImageStore store = new ImageStore(home().resolve("images"));
        return store.find(BASE).orElseGet(() -> {
            try {
                Files.createDirectories(store.root());
                try (FileChannel channel = FileChannel.open(
                                store.root().resolve(".build-lock"),
                                StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE);
                        FileLock ignored = channel.lock()) {
                    return store.find(BASE).orElseGet(() -> build(store));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot build the test base image", e);
            }
        });
    }

    private static StoredImage build(ImageStore store) {
        Path directory = store.directoryOf(ImageReference.parse(BASE));
        Path rootfs = directory.resolve("rootfs");
        try {
            Directories.delete(directory);
            Files.createDirectories(directory);
            HostCommand.Result result = HostCommand.run(
                    List.of(
                            "mmdebstrap",
                            "--variant=minbase",
                            "--include=" + String.join(",", PACKAGES),
                            "bookworm",
                            rootfs.toString(),
                            MIRROR),
                    BUILD_TIMEOUT);
            if (!result.ok()) {
                throw new IllegalStateException("mmdebstrap failed: " + result.describe());
            }
            ImageStore.writeConfig(
                    directory.resolve(ImageStore.CONFIG_FILE),
                    new ImageConfig(
                            List.of(
                                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                    "LANG=C.UTF-8"),
                            "/",
                            "",
                            List.of(),
                            Map.of("dev.moat.test", "true"),
                            "",
                            Instant.now()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the test base image in " + directory, e);
        }
        return store.require(BASE);
    }
}
