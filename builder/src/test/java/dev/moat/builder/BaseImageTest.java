package dev.moat.builder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real base image, built with mmdebstrap once per machine (see {@link SharedBaseImage}). */
class BaseImageTest {

    private static StoredImage image;

    @BeforeAll
    static void buildOnce() throws Exception {
        image = SharedBaseImage.get();
    }

    @Test
    void rootfsHasWhatSandboxesRun() throws Exception {
        Path root = image.rootfs();
        for (String tool : List.of("python3", "bash", "ps", "git", "curl", "setsid", "setpriv", "ls")) {
            assertThat(root.resolve("usr/bin").resolve(tool)).as(tool).exists();
        }
        assertThat(root.resolve("etc/ssl/certs/ca-certificates.crt")).isNotEmptyFile();
        JsonNode kernel = TestArchives.JSON.readTree(
                root.resolve("usr/share/jupyter/kernels/python3/kernel.json").toFile());
        assertThat(kernel.path("argv").toString()).contains("ipykernel_launcher");
        assertThat(kernel.path("language").asText()).isEqualTo("python");
    }

    @Test
    void rootfsHasTheMountPointsSandboxesUse() throws Exception {
        Path root = image.rootfs();
        for (String mountPoint : List.of("workspace", "opt/moat", "run/moat", "tmp")) {
            assertThat(root.resolve(mountPoint)).as(mountPoint).isDirectory();
        }
        assertThat(Files.getAttribute(root.resolve("tmp"), "unix:mode")).isEqualTo(041777);
    }

    @Test
    void rootfsCarriesNoDocumentationManPagesOrPackageLists() throws Exception {
        Path root = image.rootfs();
        try (Stream<Path> docs = Files.walk(root.resolve("usr/share/doc"))) {
            assertThat(docs.filter(path -> !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS))
                            .map(path -> path.getFileName().toString())
                            .distinct())
                    .containsExactly("copyright");
        }
        try (Stream<Path> manPages = Files.walk(root.resolve("usr/share/man"))) {
            assertThat(manPages.filter(path -> !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)))
                    .isEmpty();
        }
        try (Stream<Path> lists = Files.list(root.resolve("var/lib/apt/lists"))) {
            assertThat(lists.filter(path -> path.getFileName().toString().endsWith("Packages")))
                    .isEmpty();
        }
        assertThat(root.resolve("etc/apt/sources.list")).content().contains("bookworm main");
    }

    @Test
    void imageJsonSaysHowToRunIt() {
        assertThat(image.reference()).isEqualTo("moat/base:latest");
        assertThat(image.config().env())
                .containsExactly("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8");
        assertThat(image.config().workdir()).isEqualTo("/workspace");
        assertThat(image.config().user()).isEmpty();
        assertThat(image.config().entrypoint()).isEmpty();
        assertThat(image.config().digest()).matches("sha256:[0-9a-f]{64}");
        assertThat(image.config().created()).isBefore(Instant.now());
        assertThat(image.config().labels())
                .containsEntry("dev.moat.recipe", "base")
                .containsEntry("dev.moat.recipe.digest", BaseImage.RECIPE.recipeDigest())
                .containsEntry("dev.moat.debian.suite", "bookworm");
    }

    @Test
    void pythonWithIpykernelRunsInsideTheImage() throws Exception {
        Process process = new ProcessBuilder(
                        "chroot",
                        image.rootfs().toString(),
                        "/usr/bin/python3",
                        "-c",
                        "import ipykernel, sys; print(sys.version_info[:2], ipykernel.__version__)")
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).startsWith("(3, 11) 6.");
    }

    @Test
    void ensuringAgainReturnsTheStoredImageWithoutBuilding() throws Exception {
        Path config = image.directory().resolve("image.json");
        FileTime configTime = Files.getLastModifiedTime(config);
        Object rootfsInode = Files.getAttribute(image.rootfs(), "unix:ino", LinkOption.NOFOLLOW_LINKS);
        Path log = new ImageBuilder(SharedBaseImage.store(), Progress.silent()).logOf(BaseImage.RECIPE);
        FileTime logTime = Files.getLastModifiedTime(log);
        List<String> messages = new ArrayList<>();

        StoredImage again = BaseImage.ensure(SharedBaseImage.store(), messages::add);

        assertThat(messages).as("a build reports its phases").isEmpty();
        assertThat(again.config()).isEqualTo(image.config());
        assertThat(Files.getLastModifiedTime(config)).isEqualTo(configTime);
        assertThat(Files.getLastModifiedTime(log)).isEqualTo(logTime);
        assertThat(Files.getAttribute(again.rootfs(), "unix:ino", LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(rootfsInode);
    }

    @Test
    void buildOfTheBaseRecipeReportsUpToDateWithoutRunningMmdebstrap() throws Exception {
        Path log = new ImageBuilder(SharedBaseImage.store(), Progress.silent()).logOf(BaseImage.RECIPE);
        FileTime logTime = Files.getLastModifiedTime(log);

        ImageBuilder.Result result =
                new ImageBuilder(SharedBaseImage.store(), Progress.silent()).build(BaseImage.RECIPE, false);

        assertThat(result.built()).isFalse();
        assertThat(result.image().config().digest()).isEqualTo(image.config().digest());
        assertThat(Files.getLastModifiedTime(log)).isEqualTo(logTime);
    }
}
