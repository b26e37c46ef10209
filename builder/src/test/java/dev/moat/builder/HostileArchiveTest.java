package dev.moat.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moat.core.spi.SandboxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archives written to break out of the image root. Each must be refused with a reason, leave no image and no staging
 * directory, and write nothing outside the store — checked by looking for the file it tried to plant.
 */
class HostileArchiveTest {

    /** Deep enough to climb from the rootfs ({@code home/images/evil/app/.latest~staging-…/rootfs}) into the temp dir. */
    private static final String UP = "../../../../../../";

    @TempDir
    Path temp;

    private Path absoluteTarget;

    @BeforeEach
    void chooseAbsoluteTarget() {
        absoluteTarget = Path.of("/tmp/moat-hostile-" + UUID.randomUUID());
    }

    @AfterEach
    void nothingWasPlantedAnywhere() throws Exception {
        assertThat(absoluteTarget).doesNotExist();
        try (Stream<Path> all = Files.walk(temp)) {
            assertThat(all.filter(path -> path.getFileName().toString().startsWith("pwned")))
                    .as("files planted by the archive")
                    .isEmpty();
        }
    }

    private ImageStore store() {
        return ImageStore.inHome(temp.resolve("home"));
    }

    private void assertRefused(byte[] layer, String reason) throws Exception {
        List<byte[]> layers = List.of(new LayerBuilder().dir("etc").build(), layer);
        Path archive = TestArchives.dockerArchive(
                temp.resolve("evil.tar"), "evil/app:latest", TestArchives.config(layers), layers);

        assertThatThrownBy(() -> new ImageImporter(store(), Progress.silent())
                        .importImage(archive, ImageReference.parse("evil/app"), false))
                .isInstanceOf(SandboxException.class)
                .hasMessageStartingWith("refusing to import the image: layer 2/2: ")
                .hasMessageContaining(reason)
                .satisfies(
                        e -> assertThat(((SandboxException) e).kind()).isEqualTo(SandboxException.Kind.INVALID_SPEC));
        assertThat(store().list()).isEmpty();
        assertThat(TestArchives.listing(temp.resolve("home/images/evil/app"))).isEmpty();
    }

    @Test
    void dotDotPathIsRefused() throws Exception {
        assertRefused(new LayerBuilder().file(UP + "pwned-dotdot", "x").build(), "climbs out of the image root");
    }

    @Test
    void dotDotInTheMiddleIsRefused() throws Exception {
        assertRefused(new LayerBuilder().file("etc/../../pwned-middle", "x").build(), "climbs out of the image root");
    }

    @Test
    void absolutePathIsRefused() throws Exception {
        assertRefused(new LayerBuilder().file(absoluteTarget.toString(), "x").build(), "has an absolute path");
    }

    @Test
    void relativeSymlinkOutOfTheRootIsNotFollowed() throws Exception {
        byte[] layer = new LayerBuilder()
                .symlink("escape", UP.repeat(2))
                .file("escape/pwned-symlink", "x")
                .build();
        assertRefused(layer, "goes through a symbolic link that leads out of the image root");
    }

    @Test
    void symlinkFromALowerLayerIsNotFollowedOutEither() throws Exception {
        List<byte[]> layers = List.of(
                new LayerBuilder().symlink("lib", "../../../..").build(),
                new LayerBuilder().file("lib/pwned-lower", "x").build());
        Path archive = TestArchives.dockerArchive(
                temp.resolve("evil.tar"), "evil/app:latest", TestArchives.config(layers), layers);

        assertThatThrownBy(() -> new ImageImporter(store(), Progress.silent())
                        .importImage(archive, ImageReference.parse("evil/app"), false))
                .hasMessageContaining(
                        "'lib/pwned-lower' goes through a symbolic link that leads out of the image root");
        assertThat(store().list()).isEmpty();
    }

    @Test
    void symlinkLoopIsRefused() throws Exception {
        byte[] layer = new LayerBuilder()
                .symlink("a", "b")
                .symlink("b", "a")
                .file("a/pwned-loop", "x")
                .build();
        assertRefused(layer, "too many symbolic links");
    }

    @Test
    void hardLinkOutOfTheRootIsRefused() throws Exception {
        assertRefused(new LayerBuilder().hardlink("passwd", UP + "outside").build(), "climbs out of the image root");
        assertRefused(new LayerBuilder().hardlink("passwd", "/etc/passwd").build(), "has an absolute path");
    }

    @Test
    void hardLinkToSomethingMissingIsRefused() throws Exception {
        assertRefused(new LayerBuilder().hardlink("copy", "etc/nothing").build(), "which is not a file in the image");
    }

    @Test
    void absoluteSymlinkStaysInsideTheImage() throws Exception {
        Files.createDirectories(absoluteTarget);
        try {
            List<byte[]> layers = List.of(new LayerBuilder()
                    .symlink("hostdir", absoluteTarget.toString())
                    .file("hostdir/written", "inside")
                    .build());
            Path archive = TestArchives.dockerArchive(
                    temp.resolve("abs.tar"), "evil/app:latest", TestArchives.config(layers), layers);

            StoredImage image = new ImageImporter(store(), Progress.silent())
                    .importImage(archive, ImageReference.parse("evil/app"), false);

            assertThat(image.rootfs()
                            .resolve(absoluteTarget.toString().substring(1))
                            .resolve("written"))
                    .hasContent("inside");
            try (Stream<Path> hostFiles = Files.list(absoluteTarget)) {
                assertThat(hostFiles).isEmpty();
            }
        } finally {
            Files.deleteIfExists(absoluteTarget);
        }
    }
}
