package dev.moat.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moat.core.spi.SandboxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportTest {

    private static final ImageReference ORIGINAL = ImageReference.parse("test/app:1");

    @TempDir
    Path temp;

    private ImageStore store;
    private StoredImage original;

    @BeforeEach
    void importTheTestImage() throws Exception {
        store = ImageStore.inHome(temp.resolve("home"));
        List<byte[]> layers = ImportTest.layers();
        Path archive =
                TestArchives.dockerArchive(temp.resolve("in.tar"), "test/app:1", TestArchives.config(layers), layers);
        original = new ImageImporter(store, Progress.silent()).importImage(archive, ORIGINAL, false);
    }

    private Path export(ImageReference reference) throws InterruptedException {
        Path file = temp.resolve("exported.tar");
        new ImageExporter(store, Progress.silent()).export(reference, file);
        return file;
    }

    @Test
    void exportThenImportGivesTheSameFilesModesOwnersTimesAndConfig() throws Exception {
        Path exported = export(ORIGINAL);

        StoredImage copy = new ImageImporter(store, Progress.silent())
                .importImage(exported, ImageReference.parse("test/copy"), false);

        assertThat(describe(copy.rootfs())).isEqualTo(describe(original.rootfs()));
        assertThat(Files.getAttribute(copy.rootfs().resolve("usr/bin/tool-link"), "unix:ino"))
                .isEqualTo(Files.getAttribute(copy.rootfs().resolve("usr/bin/tool"), "unix:ino"));
        assertThat(copy.config().env()).isEqualTo(original.config().env());
        assertThat(copy.config().workdir()).isEqualTo(original.config().workdir());
        assertThat(copy.config().user()).isEqualTo(original.config().user());
        assertThat(copy.config().entrypoint()).isEqualTo(original.config().entrypoint());
        assertThat(copy.config().labels()).isEqualTo(original.config().labels());
        assertThat(copy.config().digest()).startsWith("sha256:");
    }

    @Test
    void exportOfAnUnknownImageNamesTheImageAndHowToGetIt() {
        assertThatThrownBy(() -> export(ImageReference.parse("moat/base")))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("image 'moat/base:latest' is not in the image store")
                .hasMessageContaining("build it with: ./moat image build base");
        assertThat(temp.resolve("exported.tar")).doesNotExist();
    }

    @Test
    void exportToADirectoryOrAMissingDirectoryIsRefused() {
        ImageExporter exporter = new ImageExporter(store, Progress.silent());

        assertThatThrownBy(() -> exporter.export(ORIGINAL, temp))
                .hasMessageContaining("it is a directory; give the archive's file name");
        assertThatThrownBy(() -> exporter.export(ORIGINAL, temp.resolve("no/such/dir/out.tar")))
                .hasMessageContaining("does not exist");
    }

    @Test
    void skopeoReadsTheExportedArchive() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/skopeo")), "skopeo is not installed (apt-get install skopeo)");
        Path exported = export(ORIGINAL);

        JsonNode inspected = TestArchives.JSON.readTree(run("skopeo", "inspect", "docker-archive:" + exported));

        assertThat(inspected.path("Layers")).hasSize(1);
        assertThat(inspected.path("Os").asText()).isEqualTo("linux");
        assertThat(inspected.path("Architecture").asText()).isEqualTo(OciImageConfig.hostArchitecture());
        assertThat(inspected.path("Env").toString()).contains("GREETING=hello world");
        assertThat(inspected.path("Labels").path("org.example.team").asText()).isEqualTo("moat");
    }

    @Test
    void ociLayoutThatSkopeoMakesFromTheExportImportsToTheSameImage() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/skopeo")), "skopeo is not installed (apt-get install skopeo)");
        Path exported = export(ORIGINAL);
        Path layout = temp.resolve("oci");
        run("skopeo", "copy", "docker-archive:" + exported, "oci:" + layout + ":v1");

        StoredImage fromLayout = new ImageImporter(store, Progress.silent())
                .importImage(layout, ImageReference.parse("test/from-oci:v1"), false);

        assertThat(describe(fromLayout.rootfs())).isEqualTo(describe(original.rootfs()));
        assertThat(fromLayout.config().entrypoint()).isEqualTo(original.config().entrypoint());
    }

    @Test
    void exportedFileIsReadableLikeAnyOtherFile() throws Exception {
        Path exported = export(ORIGINAL);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(exported)))
                .isEqualTo("rw-r--r--");
        try (Stream<Path> siblings = Files.list(temp)) {
            assertThat(siblings.map(path -> path.getFileName().toString())).noneMatch(name -> name.startsWith(".moat"));
        }
    }

    @Test
    void dockerLoadAcceptsTheExportedArchive() throws Exception {
        Path exported = export(ORIGINAL);
        try (PrivateDockerd dockerd = PrivateDockerd.start()) {
            assertThat(dockerd.docker("load", "-i", exported.toString())).contains("Loaded image: test/app:1");

            JsonNode image = TestArchives.JSON
                    .readTree(dockerd.docker("image", "inspect", "test/app:1"))
                    .get(0);
            assertThat(image.path("Config").path("WorkingDir").asText()).isEqualTo("/srv/app");
            assertThat(image.path("Config").path("User").asText()).isEqualTo("1000:1000");
            assertThat(image.path("Config").path("Entrypoint").toString()).isEqualTo("[\"/bin/app\",\"--serve\"]");
            assertThat(image.path("RootFS").path("Layers")).hasSize(1);

            Path saved = temp.resolve("saved.tar");
            dockerd.docker("save", "-o", saved.toString(), "test/app:1");
            StoredImage roundTrip = new ImageImporter(store, Progress.silent())
                    .importImage(saved, ImageReference.parse("test/from-docker"), false);
            assertThat(describe(roundTrip.rootfs())).isEqualTo(describe(original.rootfs()));
        }
    }

    /** Each path with its type, mode, owner, time, size and link target: what an export must preserve. */
    static Map<String, String> describe(Path root) throws Exception {
        Map<String, String> description = new TreeMap<>();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = new ArrayList<>(walk.toList());
        }
        for (Path path : paths) {
            Map<String, Object> unix = Files.readAttributes(path, "unix:mode,uid,gid,size", LinkOption.NOFOLLOW_LINKS);
            BasicFileAttributes basic =
                    Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            String target = basic.isSymbolicLink() ? " -> " + Files.readSymbolicLink(path) : "";
            String content = basic.isRegularFile() ? " " + Sha256.of(Files.readAllBytes(path)) : "";
            // a FIFO keeps the time it was made: setting one would open it, which blocks
            String time = basic.isOther()
                    ? ""
                    : " " + basic.lastModifiedTime().toInstant().truncatedTo(ChronoUnit.MICROS);
            description.put(
                    root.relativize(path).toString(),
                    Integer.toOctalString((Integer) unix.get("mode")) + " " + unix.get("uid") + ":" + unix.get("gid")
                            + time + target + content);
        }
        description.remove("");
        return description;
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
