package dev.moat.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moat.core.spi.SandboxException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ImportTest {

    @TempDir
    Path temp;

    /** The ways an image reaches Moat. */
    enum Format {
        DOCKER_ARCHIVE,
        DOCKER_ARCHIVE_GZIP,
        OCI_LAYOUT_DIRECTORY,
        OCI_LAYOUT_TAR
    }

    /** Three layers that exercise everything a layer can do to the ones below it. */
    static List<byte[]> layers() {
        byte[] base = new LayerBuilder()
                .dir("etc")
                .file("etc/os-release", "moat test")
                .dir("usr")
                .dir("usr/bin")
                .file("usr/bin/app", "#!/bin/sh\necho app\n", 0755, 0, 0)
                .hardlink("usr/bin/app-link", "usr/bin/app")
                .file("usr/bin/tool", "tool", 0755, 0, 0)
                .hardlink("usr/bin/tool-link", "usr/bin/tool")
                .file("usr/bin/setuid-tool", "suid", 04755, 0, 0)
                .symlink("bin", "usr/bin")
                .dir("home/user", 0700)
                .file("home/user/notes", "private", 0600, 1000, 1000)
                .dir("var/cache")
                .file("var/cache/a", "a")
                .dir("var/cache/sub")
                .file("var/cache/sub/c", "c")
                .file("to-delete", "x")
                .dir("dir-to-delete")
                .file("dir-to-delete/x", "x")
                .dir("run")
                .fifo("run/pipe")
                .build();
        byte[] middle = new LayerBuilder()
                .whiteout("to-delete")
                .whiteout("dir-to-delete")
                .dir("var/cache")
                .opaque("var/cache")
                .file("var/cache/fresh", "fresh")
                .file("etc/os-release", "moat test v2")
                .file("bin/through-link", "written through the bin symlink")
                .build();
        byte[] top = new LayerBuilder()
                .whiteout("usr/bin/app")
                .file("etc/new", "3")
                .whiteout("etc/new")
                .build();
        return List.of(base, middle, top);
    }

    static Path archive(Format format, Path temp, List<byte[]> layers, byte[] config) throws Exception {
        return switch (format) {
            case DOCKER_ARCHIVE -> TestArchives.dockerArchive(temp.resolve("image.tar"), "test/app:1", config, layers);
            case DOCKER_ARCHIVE_GZIP -> {
                Path plain = TestArchives.dockerArchive(temp.resolve("plain.tar"), "test/app:1", config, layers);
                yield Files.write(temp.resolve("image.tar.gz"), TestArchives.gzip(Files.readAllBytes(plain)));
            }
            case OCI_LAYOUT_DIRECTORY -> TestArchives.ociLayout(temp.resolve("layout"), config, layers, true);
            case OCI_LAYOUT_TAR ->
                TestArchives.tarOf(
                        TestArchives.ociLayout(temp.resolve("layout"), config, layers, false),
                        temp.resolve("layout.tar"));
        };
    }

    private ImageStore store() {
        return ImageStore.inHome(temp.resolve("home"));
    }

    private StoredImage importAs(Path source, String reference) throws InterruptedException {
        return new ImageImporter(store(), Progress.silent())
                .importImage(source, ImageReference.parse(reference), false);
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void layersAreAppliedInOrderWithWhiteoutsAndOpaqueDirectories(Format format) throws Exception {
        List<byte[]> layers = layers();
        StoredImage image = importAs(archive(format, temp, layers, TestArchives.config(layers)), "test/app:1");

        Path root = image.rootfs();
        assertThat(TestArchives.listing(root))
                .containsExactly(
                        "bin",
                        "etc/",
                        "etc/new",
                        "etc/os-release",
                        "home/",
                        "home/user/",
                        "home/user/notes",
                        "run/",
                        "run/pipe",
                        "usr/",
                        "usr/bin/",
                        "usr/bin/app-link",
                        "usr/bin/setuid-tool",
                        "usr/bin/through-link",
                        "usr/bin/tool",
                        "usr/bin/tool-link",
                        "var/",
                        "var/cache/",
                        "var/cache/fresh");
        assertThat(root.resolve("etc/os-release")).hasContent("moat test v2");
        assertThat(root.resolve("usr/bin/app-link")).hasContent("#!/bin/sh\necho app\n");
        assertThat(root.resolve("usr/bin/through-link")).hasContent("written through the bin symlink");
        assertThat(Files.readSymbolicLink(root.resolve("bin"))).isEqualTo(Path.of("usr/bin"));
        assertThat(fileKey(root.resolve("usr/bin/tool-link"))).isEqualTo(fileKey(root.resolve("usr/bin/tool")));
        assertThat(Files.getAttribute(root.resolve("run/pipe"), "unix:mode", LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(0010600);
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void modesOwnersAndTimesSurvive(Format format) throws Exception {
        List<byte[]> layers = layers();
        Path root = importAs(archive(format, temp, layers, TestArchives.config(layers)), "test/app:1")
                .rootfs();

        assertThat(mode(root.resolve("usr/bin/setuid-tool"))).isEqualTo(04755);
        assertThat(mode(root.resolve("usr/bin/tool"))).isEqualTo(0755);
        assertThat(mode(root.resolve("home/user"))).isEqualTo(0700);
        assertThat(mode(root.resolve("home/user/notes"))).isEqualTo(0600);
        if (SharedBaseImage.isRoot()) {
            assertThat(Files.getAttribute(root.resolve("home/user/notes"), "unix:uid"))
                    .isEqualTo(1000);
            assertThat(Files.getAttribute(root.resolve("home/user/notes"), "unix:gid"))
                    .isEqualTo(1000);
        }
        FileTime layerTime = FileTime.from(LayerBuilder.MTIME);
        assertThat(Files.getLastModifiedTime(root.resolve("home/user/notes"))).isEqualTo(layerTime);
        assertThat(Files.getLastModifiedTime(root.resolve("home/user"))).isEqualTo(layerTime);
        assertThat(Files.getLastModifiedTime(root.resolve("bin"), LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(layerTime);
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void imageConfigComesFromTheArchive(Format format) throws Exception {
        List<byte[]> layers = layers();
        byte[] config = TestArchives.config(layers);
        StoredImage image = importAs(archive(format, temp, layers, config), "test/app:1");

        assertThat(image.config().env()).containsExactly("PATH=/usr/local/bin:/usr/bin:/bin", "GREETING=hello world");
        assertThat(image.config().workdir()).isEqualTo("/srv/app");
        assertThat(image.config().user()).isEqualTo("1000:1000");
        assertThat(image.config().entrypoint()).containsExactly("/bin/app", "--serve");
        assertThat(image.config().labels()).isEqualTo(Map.of("org.example.team", "moat"));
        assertThat(image.config().digest()).isEqualTo(Sha256.of(config));
        assertThat(image.config().created()).isNotNull();
        assertThat(store().require("test/app:1").config()).isEqualTo(image.config());
    }

    @Test
    void deviceNodesAreMadeAsRootAndSurviveAnExport() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        List<byte[]> layers = List.of(
                new LayerBuilder().dir("dev").charDevice("dev/null", 1, 3).build());
        Path archive = archive(Format.DOCKER_ARCHIVE, temp, layers, TestArchives.config(layers));

        StoredImage image =
                new ImageImporter(store(), warnings::add).importImage(archive, ImageReference.parse("test/dev"), false);

        Path node = image.rootfs().resolve("dev/null");
        if (!SharedBaseImage.isRoot()) {
            assertThat(node).doesNotExist();
            assertThat(warnings)
                    .anyMatch(warning -> warning.contains("skipped 1 device nodes (creating them needs root)"));
            return;
        }
        assertThat(Files.getAttribute(node, "unix:mode", LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(0020666);
        assertThat(Files.getAttribute(node, "unix:rdev", LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(Files.getAttribute(Path.of("/dev/null"), "unix:rdev"));
        Path exported = temp.resolve("dev.tar");
        new ImageExporter(store(), Progress.silent()).export(ImageReference.parse("test/dev"), exported);
        StoredImage copy = new ImageImporter(store(), Progress.silent())
                .importImage(exported, ImageReference.parse("test/dev-copy"), false);
        assertThat(Files.getAttribute(copy.rootfs().resolve("dev/null"), "unix:rdev", LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(Files.getAttribute(Path.of("/dev/null"), "unix:rdev"));
    }

    @Test
    void layerThatDoesNotMatchItsDiffIdIsRefused() throws Exception {
        List<byte[]> layers = layers();
        byte[] config = TestArchives.config(
                layers,
                root -> ((com.fasterxml.jackson.databind.node.ArrayNode)
                                root.path("rootfs").path("diff_ids"))
                        .set(1, Sha256.of("something else")));
        Path archive = archive(Format.DOCKER_ARCHIVE, temp, layers, config);

        assertThatThrownBy(() -> importAs(archive, "test/app:1"))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("layer 2/3 is corrupt: its content does not match");
        assertNothingStored();
    }

    @Test
    void tamperedOciBlobIsRefused() throws Exception {
        List<byte[]> layers = layers();
        Path layout = TestArchives.ociLayout(temp.resolve("layout"), TestArchives.config(layers), layers, false);
        try (var blobs = Files.list(layout.resolve("blobs/sha256"))) {
            for (Path blob : blobs.toList()) {
                if (Files.readAllBytes(blob)[0] == (byte) 0x1f) {
                    byte[] gzipped = TestArchives.gzip(
                            new LayerBuilder().file("evil", "x").build());
                    Files.write(blob, gzipped);
                    break;
                }
            }
        }

        assertThatThrownBy(() -> importAs(layout, "test/app:1"))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("is corrupt");
        assertNothingStored();
    }

    @Test
    void existingImageIsReplacedOnlyWithForce() throws Exception {
        List<byte[]> layers = layers();
        Path archive = archive(Format.DOCKER_ARCHIVE, temp, layers, TestArchives.config(layers));
        importAs(archive, "test/app:1");

        assertThatThrownBy(() -> importAs(archive, "test/app:1"))
                .isInstanceOf(SandboxException.class)
                .hasMessage("image 'test/app:1' already exists; use --force to replace it, or pick another --name");

        List<byte[]> other = List.of(new LayerBuilder().file("only", "one").build());
        Path replacement =
                TestArchives.dockerArchive(temp.resolve("other.tar"), "x:y", TestArchives.config(other), other);
        StoredImage replaced = new ImageImporter(store(), Progress.silent())
                .importImage(replacement, ImageReference.parse("test/app:1"), true);
        assertThat(TestArchives.listing(replaced.rootfs())).containsExactly("only");
    }

    @Test
    void somethingThatIsNoImageArchiveIsRefusedWithTheReason() throws Exception {
        Path notTar = Files.writeString(temp.resolve("notes.txt"), "just text, long enough to not be a tar header");
        Path emptyTar = TestArchives.tarOf(Files.createDirectories(temp.resolve("empty")), temp.resolve("empty.tar"));

        assertThatThrownBy(() -> importAs(temp.resolve("missing.tar"), "test/app:1"))
                .hasMessageContaining("there is no file " + temp.resolve("missing.tar") + " to import");
        assertThatThrownBy(() -> importAs(notTar, "test/app:1")).hasMessageContaining("is neither a tar archive");
        assertThatThrownBy(() -> importAs(emptyTar, "test/app:1"))
                .hasMessageContaining("is neither a docker-archive (no manifest.json) nor an OCI image layout");
        Path badJson = Files.createDirectories(temp.resolve("bad"));
        Files.writeString(badJson.resolve("manifest.json"), "[{\"Config\": ");
        Path badManifest = TestArchives.tarOf(badJson, temp.resolve("bad.tar"));
        assertThatThrownBy(() -> importAs(badManifest, "test/app:1"))
                .hasMessageStartingWith("manifest.json is not valid JSON");
        assertNothingStored();
    }

    private void assertNothingStored() throws Exception {
        assertThat(store().list()).isEmpty();
        Path images = temp.resolve("home/images/test/app");
        if (Files.isDirectory(images)) {
            assertThat(TestArchives.listing(images)).isEmpty();
        }
    }

    private static Object fileKey(Path path) throws Exception {
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .fileKey();
    }

    private static int mode(Path path) throws Exception {
        return ((Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
    }
}
