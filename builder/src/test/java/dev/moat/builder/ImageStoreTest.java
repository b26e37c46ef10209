package dev.moat.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.moat.core.spi.SandboxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreTest {

    @TempDir
    Path home;

    private ImageStore store() {
        return ImageStore.inHome(home);
    }

    private static ImageConfig config(String digest) {
        return new ImageConfig(
                List.of("PATH=/usr/bin"), "/workspace", "", List.of("sh"), Map.of("a", "b"), digest, Instant.now());
    }

    private StoredImage commit(String reference, String file) throws Exception {
        ImageStore store = store();
        try (ImageLock lock = store.lock(ImageReference.parse(reference));
                PendingImage pending = store.prepare(lock)) {
            Files.writeString(pending.rootfs().resolve(file), "content");
            return pending.commit(config("sha256:" + file));
        }
    }

    @Test
    void committedImageIsFoundWithItsConfigAndRootfs() throws Exception {
        StoredImage image = commit("test/app:1.0", "hello");

        StoredImage found = store().require("test/app:1.0");
        assertThat(found.directory()).isEqualTo(home.resolve("images/test/app/1.0"));
        assertThat(found.rootfs().resolve("hello")).hasContent("content");
        assertThat(found.config()).isEqualTo(image.config());
        assertThat(found.config().workdir()).isEqualTo("/workspace");
    }

    @Test
    void pendingImageIsInvisibleAndLeavesNothingWhenAbandoned() throws Exception {
        ImageStore store = store();
        ImageReference reference = ImageReference.parse("test/app");
        try (ImageLock lock = store.lock(reference);
                PendingImage pending = store.prepare(lock)) {
            Files.writeString(pending.rootfs().resolve("half"), "made");
            assertThat(store.find(reference)).isEmpty();
            assertThat(store.list()).isEmpty();
        }

        try (Stream<Path> left = Files.list(home.resolve("images/test/app"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void anAbandonedImageWhoseWriterDiedWithAMountInsideIsUnmountedAndDeleted() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting needs root");
        ImageStore store = store();
        ImageReference reference = ImageReference.parse("test/mounted");
        try (ImageLock lock = store.lock(reference);
                PendingImage pending = store.prepare(lock)) {
            Path proc = Files.createDirectory(pending.rootfs().resolve("proc"));
            // like a chroot build killed mid-way: the mount is made, and TERM ends the writer before it undoes it
            Process writer =
                    new ProcessBuilder("sh", "-c", "mount -t tmpfs moat-test " + proc + " && exec sleep 600").start();
            pending.track(writer);
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> TreeDeleter.mountsInside(proc).contains(proc));
        }

        assertThat(TreeDeleter.mountsInside(home)).isEmpty();
        try (Stream<Path> left = Files.list(home.resolve("images/test/mounted"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void commitReplacesAnExistingImageOfTheSameName() throws Exception {
        commit("test/app:latest", "old");
        commit("test/app:latest", "new");

        StoredImage image = store().require("test/app");
        assertThat(image.rootfs().resolve("new")).exists();
        assertThat(image.rootfs().resolve("old")).doesNotExist();
        try (Stream<Path> siblings = Files.list(home.resolve("images/test/app"))) {
            assertThat(siblings).containsExactly(home.resolve("images/test/app/latest"));
        }
    }

    @Test
    void leftoversOfAKilledAttemptAreDeletedByTheNextOne() throws Exception {
        Path leftover = home.resolve("images/test/app/.latest~staging-dead");
        Files.createDirectories(leftover.resolve("rootfs/usr"));
        Path otherTag = home.resolve("images/test/app/.latest.1~staging-busy");
        Files.createDirectories(otherTag);

        commit("test/app:latest", "file");

        assertThat(leftover).doesNotExist();
        assertThat(otherTag)
                .as("a tag that merely starts alike is another image")
                .exists();
    }

    @Test
    void listShowsCompleteImagesOnlyAndNeverLooksInsideARootfs() throws Exception {
        commit("moat/base:latest", "base");
        commit("test/app:2", "app");
        Path deep = store().require("test/app:2").rootfs().resolve("usr/share/x");
        Files.createDirectories(deep.resolve("rootfs"));
        Files.writeString(deep.resolve("image.json"), "{}");
        Files.createDirectories(home.resolve("images/broken/tag/rootfs"));

        assertThat(store().list()).extracting(StoredImage::reference).containsExactly("moat/base:latest", "test/app:2");
    }

    @Test
    void removeDeletesTheImageAndRefusesAnUnknownOne() throws Exception {
        commit("test/app:latest", "file");
        ImageStore store = store();

        try (ImageLock lock = store.lock(ImageReference.parse("test/app"))) {
            store.remove(lock);
        }

        assertThat(store.find("test/app")).isEmpty();
        assertThat(home.resolve("images/test/app/latest")).doesNotExist();
        try (ImageLock lock = store.lock(ImageReference.parse("test/app"))) {
            assertThatThrownBy(() -> store.remove(lock))
                    .isInstanceOf(SandboxException.class)
                    .hasMessageContaining("'test/app:latest' is not in the image store")
                    .hasMessageContaining("./moat image import FILE --name test/app:latest");
        }
    }

    @Test
    void unknownBaseImageSaysHowToBuildIt() {
        assertThatThrownBy(() -> store().require("moat/base"))
                .isInstanceOf(SandboxException.class)
                .satisfies(
                        e -> assertThat(((SandboxException) e).kind()).isEqualTo(SandboxException.Kind.IMAGE_NOT_FOUND))
                .hasMessageContaining("'moat/base:latest'")
                .hasMessageContaining("build it with: ./moat image build base");
    }

    @Test
    void lockExcludesOtherThreadsUntilReleased() throws Exception {
        ImageStore store = store();
        ImageReference reference = ImageReference.parse("test/app");
        ImageLock held = store.lock(reference);
        CompletableFuture<Optional<ImageLock>> attempt = CompletableFuture.supplyAsync(() -> store.tryLock(reference));
        assertThat(attempt.get(10, TimeUnit.SECONDS)).isEmpty();

        CompletableFuture<ImageLock> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                ImageLock lock = store.lock(reference);
                lock.close();
                return lock;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(waiter).isNotDone();
        held.close();
        assertThat(waiter.get(10, TimeUnit.SECONDS).reference()).isEqualTo(reference);
    }

    @Test
    void referencesThatCouldEscapeTheStoreAreRejected() {
        for (String bad : List.of("../etc", "a/../../b", "/abs", "UPPER", "name:bad/tag", "name:", "a//b")) {
            assertThatThrownBy(() -> ImageReference.parse(bad))
                    .as(bad)
                    .isInstanceOf(SandboxException.class)
                    .hasMessageContaining("is not valid");
        }
        assertThat(ImageReference.parse("moat/base")).isEqualTo(new ImageReference("moat/base", "latest"));
        assertThat(ImageReference.parse("localhost/x:1.2_b")).hasToString("localhost/x:1.2_b");
    }

    @Test
    void treeDeleterRefusesATreeWithSomethingMountedInside() throws Exception {
        assumeTrue(isRoot(), "mounting a tmpfs needs root");
        Path tree = home.resolve("tree");
        Path mountPoint = Files.createDirectories(tree.resolve("proc"));
        assumeTrue(run("mount", "-t", "tmpfs", "tmpfs", mountPoint.toString()) == 0, "mount -t tmpfs failed");
        try {
            Files.writeString(mountPoint.resolve("host-file"), "must survive");

            assertThatThrownBy(() -> TreeDeleter.delete(tree))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("still mounted");
            assertThat(mountPoint.resolve("host-file")).exists();
        } finally {
            run("umount", mountPoint.toString());
        }
        TreeDeleter.delete(tree);
        assertThat(tree).doesNotExist();
    }

    @Test
    void treeDeleterRemovesReadOnlyDirectoriesWithoutFollowingLinks() throws Exception {
        Path outside = Files.writeString(home.resolve("outside"), "keep");
        Path tree = Files.createDirectories(home.resolve("tree/ro/sub"));
        Files.createSymbolicLink(home.resolve("tree/ro/link"), outside);
        Files.createSymbolicLink(home.resolve("tree/dirlink"), home);
        Files.setAttribute(home.resolve("tree/ro"), "unix:mode", 0555);

        TreeDeleter.delete(home.resolve("tree"));

        assertThat(home.resolve("tree")).doesNotExist();
        assertThat(outside).hasContent("keep");
        assertThat(tree.getParent().getParent()).doesNotExist();
    }

    static boolean isRoot() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }

    private static int run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).inheritIO().start();
        return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }
}
