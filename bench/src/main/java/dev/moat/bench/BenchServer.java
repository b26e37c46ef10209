package dev.moat.bench;

import dev.moat.builder.BaseImage;
import dev.moat.builder.ImageStore;
import dev.moat.builder.Progress;
import dev.moat.builder.TreeDeleter;
import dev.moat.server.ConfigSource;
import dev.moat.server.ImagePreparation;
import dev.moat.server.MoatServer;
import dev.moat.server.ServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real Moat server for the benchmark, started the way {@code moat server} starts one ({@link ServerConfig} from
 * settings, {@link MoatServer#start}), on a free loopback port with its own temporary Moat home whose image store is
 * the machine's existing one. Closing it deletes every sandbox the benchmark made, stops the server (which removes
 * the rest: {@code AUTO_CLEANUP}) and deletes the home.
 */
final class BenchServer implements AutoCloseable {

    private final MoatServer server;
    private final ServerClient client;
    private final Path home;
    private final Set<String> made = ConcurrentHashMap.newKeySet();
    private final Thread onInterrupt;

    private BenchServer(MoatServer server, Path home) {
        this.server = server;
        this.home = home;
        this.client = new ServerClient(URI.create("http://127.0.0.1:" + server.port()));
        this.onInterrupt = Thread.ofPlatform().unstarted(this::stop);
        Runtime.getRuntime().addShutdownHook(onInterrupt);
    }

    /** Starts a server with {@code POOL_SIZE=poolSize} and the given extra settings; {@code images} is reused. */
    static BenchServer start(Path images, int poolSize, Map<String, String> settings) throws Exception {
        // 755 like a usual ~/.moat: a private (700) home keeps sandboxes in user namespaces out, and the backend
        // would measure itself without them
        Path home = Files.createTempDirectory(
                Path.of("/var/tmp"),
                "moat-bench-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.createSymbolicLink(home.resolve("images"), images);
        Map<String, String> values = new LinkedHashMap<>();
        values.put("HOST", "127.0.0.1");
        values.put("PORT", "0");
        values.put("MOAT_HOME", home.toString());
        values.put("DEFAULT_MOUNT_DIR", home.resolve("sessions").toString());
        values.put("DEFAULT_SANDBOX_TYPE", "base");
        values.put("POOL_SIZE", Integer.toString(poolSize));
        values.put("AUTO_CLEANUP", "True");
        values.putAll(settings);
        try {
            return new BenchServer(
                    MoatServer.start(ServerConfig.from(ConfigSource.of(values)), ImagePreparation.NONE), home);
        } catch (Exception | Error e) {
            TreeDeleter.delete(home);
            throw e;
        }
    }

    /**
     * The image store holding the base image: the shared test home's ({@code $MOAT_TEST_HOME}, default
     * {@code /var/tmp/moat-test-home}) or the user's Moat home's; if neither has it, it is built into the test home
     * once, with progress, as the tests do.
     */
    static Path baseImageStore() throws InterruptedException {
        Path testHome = Path.of(System.getenv().getOrDefault("MOAT_TEST_HOME", "/var/tmp/moat-test-home"));
        Path userHome = Optional.ofNullable(System.getenv("MOAT_HOME"))
                .map(Path::of)
                .orElse(Path.of(System.getProperty("user.home"), ".moat"));
        for (Path home : List.of(testHome, userHome)) {
            ImageStore store = ImageStore.inHome(home);
            if (store.find(BaseImage.REFERENCE).isPresent()) {
                return store.root().toAbsolutePath();
            }
        }
        ImageStore store = ImageStore.inHome(testHome);
        BaseImage.ensure(store, Progress.timed(new PrintWriter(System.out, true)));
        return store.root().toAbsolutePath();
    }

    ServerClient client() {
        return client;
    }

    MoatServer server() {
        return server;
    }

    /** Records a sandbox the benchmark made, so that closing deletes it whatever happened. */
    void made(String id) {
        made.add(id);
    }

    /** The sandboxes the benchmark made and has not deleted yet. */
    Set<String> madeIds() {
        return Set.copyOf(made);
    }

    /** Deletes a sandbox the benchmark made now; true when the server answered 204. */
    boolean delete(String id) throws IOException, InterruptedException {
        boolean deleted = client.delete(id);
        made.remove(id);
        return deleted;
    }

    /** Waits until the pool holds at least {@code count} warm sandboxes; false after {@code timeout}. */
    boolean awaitPool(int count, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (client.poolReady() < count) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    @Override
    public void close() {
        stop();
        Runtime.getRuntime().removeShutdownHook(onInterrupt);
    }

    private synchronized void stop() {
        if (!Files.exists(home)) {
            return;
        }
        for (String id : List.copyOf(made)) {
            try {
                delete(id);
            } catch (IOException | RuntimeException e) {
                System.err.println("bench: could not delete sandbox " + id + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        client.close();
        try {
            server.close();
            TreeDeleter.delete(home);
        } catch (Exception e) {
            System.err.println("bench: the server did not stop cleanly (" + e.getMessage() + "); left " + home);
        }
    }
}
