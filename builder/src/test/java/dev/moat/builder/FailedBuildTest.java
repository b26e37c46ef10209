package dev.moat.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moat.core.spi.SandboxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Builds that fail or are interrupted leave nothing behind: no image, no staging directory, no mount. */
class FailedBuildTest {

    private Path temp;
    private ImageStore store;

    @BeforeEach
    void needsMmdebstrap() throws Exception {
        SharedBaseImage.assumeBuildable();
        temp = Files.createTempDirectory("moat-build-test-");
        store = ImageStore.inHome(temp.resolve("home"));
    }

    /** Not JUnit's @TempDir: its clean-up would walk into a mount a broken build left, such as the host's /dev/shm. */
    @AfterEach
    void deleteUnlessSomethingIsStillMounted() throws Exception {
        if (temp != null) {
            TreeDeleter.delete(temp);
        }
    }

    private static DebianRecipe recipe(String name, List<String> packages) {
        return new DebianRecipe(name, ImageReference.parse("test/" + name), "bookworm", packages, List.of());
    }

    @Test
    void buildOfAPackageDebianDoesNotHaveFailsWithAptsReasonAndLeavesNothing() throws Exception {
        DebianRecipe broken = recipe("broken", List.of("moat-no-such-package"));

        assertThatThrownBy(() -> new ImageBuilder(store, Progress.silent()).build(broken, false))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("mmdebstrap failed")
                .hasMessageContaining("moat-no-such-package")
                .hasMessageContaining("(log: ");

        assertNothingLeft("broken");
        assertThat(Files.readString(new ImageBuilder(store, Progress.silent()).logOf(broken)))
                .contains("moat-no-such-package");
    }

    @Test
    void interruptedBuildStopsMmdebstrapAndLeavesNothing() throws Exception {
        DebianRecipe slow = recipe("interrupted", List.of("python3"));
        List<String> messages = new CopyOnWriteArrayList<>();
        CompletableFuture<Thread> builder = new CompletableFuture<>();
        CompletableFuture<Void> build = CompletableFuture.runAsync(() -> {
            builder.complete(Thread.currentThread());
            try {
                new ImageBuilder(store, messages::add).build(slow, false);
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted", e);
            }
        });
        Awaitility.await()
                .atMost(Duration.ofMinutes(5))
                .until(() -> messages.stream().anyMatch(m -> m.startsWith("installing essential packages")));

        builder.get().interrupt();

        assertThatThrownBy(() -> build.get(3, TimeUnit.MINUTES))
                .isInstanceOf(ExecutionException.class)
                .hasRootCauseInstanceOf(InterruptedException.class);
        assertNothingLeft("interrupted");
        assertThat(ProcessHandle.current()
                        .descendants()
                        .filter(ProcessHandle::isAlive)
                        .map(process -> process.info().commandLine().orElse(""))
                        .filter(command -> command.contains("mmdebstrap")))
                .isEmpty();
    }

    private void assertNothingLeft(String name) throws Exception {
        assertThat(store.find("test/" + name)).isEmpty();
        Path images = temp.resolve("home/images/test");
        if (Files.isDirectory(images)) {
            assertThat(TestArchives.listing(images))
                    .as("only empty name directories")
                    .allMatch(path -> path.endsWith("/") && !path.contains("~"));
        }
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(temp.toString());
    }
}
