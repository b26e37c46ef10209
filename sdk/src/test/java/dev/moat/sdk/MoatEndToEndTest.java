package dev.moat.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.moat.builder.BaseImage;
import dev.moat.builder.ImageStore;
import dev.moat.builder.Progress;
import dev.moat.core.spi.Backend;
import dev.moat.core.spi.SandboxException;
import dev.moat.server.ConfigSource;
import dev.moat.server.ImagePreparation;
import dev.moat.server.MoatServer;
import dev.moat.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SDK against the real Moat server with the real {@code oci} backend and the real base image: the whole lifecycle,
 * and the README's example line for line. Skips (saying why) on a host without the backend or the image.
 */
class MoatEndToEndTest {

    private static final String IMAGE = "moat/base:latest";

    private static MoatServer server;
    private static ConnectionConfig connection;
    private static Path mounts;
    private static Path home;

    @BeforeAll
    static void startServer() throws Exception {
        assumeTrue(
                ServiceLoader.load(Backend.Factory.class).stream()
                        .anyMatch(factory -> factory.get().deployments().contains("oci")),
                "no 'oci' backend on the class path (module backend-oci has no Backend.Factory yet)");
        home = moatHomeWithTheBaseImage();
        Path runtime =
                Path.of("..", "execd", "target", "opt-moat").toAbsolutePath().normalize();
        assumeTrue(
                Files.isRegularFile(runtime.resolve("execd.jar")),
                "no execd runtime at " + runtime + "; build with ./mvnw -pl sdk -am verify");
        mounts = Files.createTempDirectory("sdk-e2e-workspaces-");
        String apiKey = UUID.randomUUID().toString();
        ServerConfig config = ServerConfig.from(ConfigSource.of(Map.of(
                "HOST",
                "127.0.0.1",
                "PORT",
                "0",
                "BEARER_TOKEN",
                apiKey,
                "POOL_SIZE",
                "1",
                "AUTO_CLEANUP",
                "True",
                "MOAT_HOME",
                home.toString(),
                "MOAT_RUNTIME_DIR",
                runtime.toString(),
                "DEFAULT_MOUNT_DIR",
                mounts.toString())));
        try {
            server = MoatServer.start(config, ImagePreparation.NONE);
        } catch (SandboxException e) {
            assumeTrue(e.kind() != SandboxException.Kind.UNAVAILABLE, "this host cannot run the oci backend: " + e);
            throw e;
        }
        connection = ConnectionConfig.builder()
                .baseUrl("http://127.0.0.1:" + server.port())
                .apiKey(apiKey)
                .build();
    }

    /**
     * A Moat home of this run's own whose images are those of the test home every module shares
     * ({@code $MOAT_TEST_HOME}, default {@code /var/tmp/moat-test-home}), where the base image is built once per
     * machine.
     */
    private static Path moatHomeWithTheBaseImage() throws Exception {
        Path shared = Path.of(System.getenv().getOrDefault("MOAT_TEST_HOME", "/var/tmp/moat-test-home"));
        BaseImage.ensure(ImageStore.inHome(shared), Progress.timed(new PrintWriter(System.out, true)));
        // searchable by others like a usual ~/.moat, so that its bundles stay inside it
        Path own = Files.createTempDirectory(
                "sdk-e2e-home-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.createSymbolicLink(own.resolve("images"), shared.resolve("images"));
        return own;
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
        if (mounts != null) {
            // workspaces outlive their sandboxes by design; these were only this test's
            TestFiles.deleteRecursively(mounts);
        }
        if (home != null) {
            TestFiles.deleteRecursively(home); // walks past the images link without following it
        }
    }

    @Test
    void theReadmeExampleWorksAsWritten() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            ConnectionConfig moat = connection; // README: ConnectionConfig.of("http://127.0.0.1:8000")
            // --- from here to the closing brace, verbatim from README.md
            try (Sandbox sandbox = Sandbox.builder(moat).image("base").create()) { // closing it kills it
                Execution hello = sandbox.commands().run("echo hello from $(uname -s)");
                System.out.println(hello.stdoutText()); // hello from Linux
                sandbox.files().write("/workspace/numbers.txt", "1 2 3 4");
                Execution sum = sandbox.code().run("sum(map(int, open('/workspace/numbers.txt').read().split()))");
                System.out.println(sum.text().orElseThrow()); // 10
                ExecutionHandler live = ExecutionHandler.onStdout(System.out::println);
                sandbox.commands().run("for i in 1 2 3; do echo tick $i; done", live); // each line as it comes
            }
        } finally {
            System.setOut(original);
        }

        assertThat(printed.toString(StandardCharsets.UTF_8))
                .isEqualTo("hello from Linux\n10\ntick 1\ntick 2\ntick 3\n");
    }

    @Test
    void aSandboxGoesThroughItsWholeLifecycle() {
        String run = UUID.randomUUID().toString();
        Sandbox sandbox = Sandbox.builder(connection)
                .image(IMAGE)
                .env("GREETING", "hi")
                .metadata("run", run)
                .resource("cpu", "500m")
                .resource("memory", "512Mi")
                .timeout(Duration.ofMinutes(5))
                .create();
        try {
            SandboxInfo info = sandbox.info();
            assertThat(info.state()).isEqualTo(SandboxState.RUNNING);
            assertThat(info.metadata()).containsEntry("run", run);
            assertThat(info.expiresAt()).isPresent();

            assertThat(sandbox.commands().run("echo $GREETING; exit 3").stdout())
                    .containsExactly("hi");
            assertThat(sandbox.commands().run("exit 3").exitCode()).hasValue(3);
            String background = sandbox.commands().start("echo started; sleep 600");
            assertThat(sandbox.commands().status(background).running()).isTrue();
            sandbox.commands().interrupt(background);

            CodeContext context = sandbox.code().createContext("python");
            sandbox.code().run("answer = 6 * 7", context);
            assertThat(sandbox.code().run("answer", context).text()).hasValue("42");

            sandbox.files().write("/workspace/data/hello.txt", "héllo");
            assertThat(sandbox.files().read("/workspace/data/hello.txt")).isEqualTo("héllo");
            assertThat(sandbox.files().list("/workspace/data"))
                    .extracting(FileInfo::path)
                    .containsExactly("/workspace/data/hello.txt");
            assertThat(sandbox.metrics().memTotalMib()).isPositive();

            assertThat(SandboxManager.of(connection)
                            .list(SandboxFilter.all().withMetadata("run", run))
                            .items())
                    .extracting(SandboxInfo::id)
                    .containsExactly(sandbox.id());
            Sandbox second = Sandbox.connect(sandbox.id(), connection);
            assertThat(second.files().read("/workspace/data/hello.txt")).isEqualTo("héllo");

            sandbox.pause();
            assertThat(sandbox.info().state()).isEqualTo(SandboxState.PAUSED);
            sandbox.resume();
            assertThat(sandbox.code().run("answer", context).text()).hasValue("42");

            Instant before = info.expiresAt().orElseThrow();
            assertThat(sandbox.renew(Duration.ofMinutes(30))).isAfter(before);
            assertThat(sandbox.endpoint(8080).endpoint()).contains("/sandboxes/" + sandbox.id() + "/proxy/8080");
        } finally {
            sandbox.kill();
        }

        SandboxState after = SandboxManager.of(connection).get(sandbox.id()).state();
        assertThat(after).isIn(SandboxState.STOPPING, SandboxState.TERMINATED);
        sandbox.close(); // already killed: nothing to do
    }

    @Test
    void anUnknownImageIsRefusedAndLeavesNothingBehind() {
        String run = UUID.randomUUID().toString();

        SandboxApiException e = catchThrowableOfType(
                SandboxApiException.class,
                () -> Sandbox.builder(connection)
                        .image("moat/no-such-image:latest")
                        .metadata("run", run)
                        .create());

        // refused at once (400 IMAGE_NOT_FOUND), or accepted and then Failed while being created: either way the
        // caller learns which image, and the SDK deleted what was made
        assertThat(e.code()).isIn("IMAGE_NOT_FOUND", SandboxApiException.SANDBOX_FAILED);
        assertThat(e.getMessage()).contains("no-such-image");
        assertThat(SandboxManager.of(connection)
                        .list(SandboxFilter.all()
                                .withMetadata("run", run)
                                .withState(SandboxState.RUNNING, SandboxState.PENDING))
                        .items())
                .isEmpty();
    }

    @Test
    void aWrongApiKeyIsRefused() {
        ConnectionConfig wrong = ConnectionConfig.of("http://127.0.0.1:" + server.port(), "not-the-key");

        SandboxApiException e =
                catchThrowableOfType(SandboxApiException.class, () -> Sandbox.list(wrong, SandboxFilter.all()));

        assertThat(e.status()).isEqualTo(401);
        assertThat(e.code()).isEqualTo("UNAUTHORIZED");
        assertThat(e.requestId()).isPresent();
    }
}
