package dev.moat.bench;

import dev.moat.backend.oci.ExecdPing;
import dev.moat.backend.oci.OciBackendFactory;
import dev.moat.backend.oci.OciMeasurements;
import dev.moat.builder.ImageStore;
import dev.moat.core.spi.Backend;
import dev.moat.core.spi.BackendSettings;
import dev.moat.core.spi.ExecdEndpoint;
import dev.moat.core.spi.ResourceLimits;
import dev.moat.core.spi.SandboxSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code moat bench backend}: the oci backend on this host. Cold create until execd answers {@code /ping}, next to a
 * bare {@code crun|runc run /bin/true} measured in the same run; remove time; idle memory (PSS) per sandbox with 10
 * and then {@code --alive} sandboxes alive at once. Removes every sandbox it made, also when interrupted.
 */
@Command(
        name = "backend",
        description =
                "Cold create -> execd /ping, remove, and idle memory of oci sandboxes, against a bare runtime run.")
public final class BackendBench implements Callable<Integer> {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    @Option(names = "--creates", defaultValue = "20", description = "cold creates to time (default ${DEFAULT-VALUE})")
    private int creates;

    @Option(names = "--alive", defaultValue = "50", description = "sandboxes alive at once (default ${DEFAULT-VALUE})")
    private int alive;

    @Option(names = "--image", defaultValue = "moat/base:latest", description = "image (default ${DEFAULT-VALUE})")
    private String image;

    @Option(names = "--deployment", defaultValue = "oci", description = "oci or gvisor (default ${DEFAULT-VALUE})")
    private String deployment;

    private final List<String> made = new ArrayList<>();

    @Override
    public Integer call() {
        Path home = Optional.ofNullable(System.getenv("MOAT_HOME"))
                .map(Path::of)
                .orElse(Path.of(System.getProperty("user.home"), ".moat"));
        Path runtime = Path.of(System.getProperty("moat.runtime", "execd/target/opt-moat"));
        Path rootfs = new ImageStore(home.resolve("images")).require(image).rootfs();
        try (Backend backend =
                new OciBackendFactory().create(new BackendSettings(deployment, home, runtime, Map.of()))) {
            Thread cleanup = Thread.ofPlatform().unstarted(() -> removeAll(backend));
            Runtime.getRuntime().addShutdownHook(cleanup);
            try {
                run(backend, OciMeasurements.of(backend), rootfs);
            } finally {
                removeAll(backend);
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
        }
        return 0;
    }

    private void run(Backend backend, OciMeasurements measure, Path rootfs) {
        System.out.println("backend: " + backend.describe());
        System.out.println("image:   " + image);
        System.out.println("load:    " + Host.loadAverage() + " (1, 5, 15 min) on " + Host.cores() + " cores");
        measure.bareRun(rootfs); // warm the page cache for both sides alike
        Samples bare = new Samples();
        Samples started = new Samples();
        Samples ready = new Samples();
        Samples cpu = new Samples();
        Samples remove = new Samples();
        for (int i = 0; i < creates; i++) {
            bare.add(millis(measure.bareRun(rootfs)));
            Created created = create(backend, "bench-cold-" + i);
            started.add(created.startedMillis());
            ready.add(created.readyMillis());
            String id = created.id();
            cpu.add(backend.usage(id).cpuNanos() / 1e6);
            long start = System.nanoTime();
            backend.remove(id);
            made.remove(id);
            remove.addSince(start);
        }
        String floor = measure.runtimeName() + " run /bin/true";
        System.out.println();
        row("floor: bare " + floor, bare, bare);
        row("create (until the runtime returns)", started, bare);
        row("cold create -> execd /ping", ready, bare);
        row("remove", remove, bare);
        System.out.printf(
                Locale.ROOT,
                "%-34s p50 %7.1f ms   (CPU time: with a 1-CPU quota, /ping cannot come sooner; load %s)%n",
                "sandbox CPU until /ping",
                cpu.p50(),
                Host.loadAverage());

        System.out.println();
        for (int count = 0; count < alive; ) {
            create(backend, "bench-alive-" + count);
            count++;
            if (count == Math.min(10, alive) || count == alive) {
                pauseForIdle();
                long pss = made.stream().mapToLong(measure::pssBytes).sum();
                System.out.printf(
                        Locale.ROOT,
                        "%d sandboxes alive: idle PSS %.1f MB per sandbox (execd, tini), %.0f MB together%n",
                        count,
                        pss / 1e6 / count,
                        pss / 1e6);
            }
        }
        System.out.printf(Locale.ROOT, "%d sandboxes were alive at once; every one answered /ping%n", alive);
    }

    /** A sandbox made by the benchmark: how long until the runtime returned, and until execd answered. */
    private record Created(String id, double startedMillis, double readyMillis) {}

    private Created create(Backend backend, String id) {
        SandboxSpec spec = new SandboxSpec(
                id,
                image,
                Map.of(),
                List.of(),
                new ResourceLimits(1000, 512L << 20, 256),
                List.of(),
                SandboxSpec.NetworkMode.LOOPBACK,
                Map.of("bench", "backend"));
        long start = System.nanoTime();
        backend.create(spec);
        double started = (System.nanoTime() - start) / 1e6;
        made.add(id);
        ExecdEndpoint.UnixSocket socket = (ExecdEndpoint.UnixSocket) backend.execdEndpoint(id);
        if (!ExecdPing.await(socket.path(), READY_TIMEOUT)) {
            throw new IllegalStateException("execd of " + id + " did not answer /ping within " + READY_TIMEOUT);
        }
        return new Created(id, started, (System.nanoTime() - start) / 1e6);
    }

    private static void pauseForIdle() {
        try {
            Thread.sleep(3000); // let the JITs and GCs of the newest sandboxes settle before counting pages
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void removeAll(Backend backend) {
        for (String id : List.copyOf(made)) {
            backend.remove(id);
            made.remove(id);
        }
    }

    private static void row(String what, Samples values, Samples floor) {
        System.out.printf(
                Locale.ROOT,
                "%-34s p50 %7.1f ms   p95 %7.1f ms   (%.1fx the floor's p50)%n",
                what,
                values.p50(),
                values.percentile(95),
                values.p50() / floor.p50());
    }

    private static double millis(Duration duration) {
        return duration.toNanos() / 1e6;
    }
}
