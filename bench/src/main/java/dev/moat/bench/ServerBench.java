package dev.moat.bench;

import dev.moat.backend.oci.OciMeasurements;
import dev.moat.core.spi.ExecdEndpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code moat bench server}: a real Moat server on loopback, driven over HTTP as a client drives it. Pool hand-out
 * until execd answers (concurrency 1 and 20, client-side and server-side via {@code Server-Timing}), cold create,
 * {@code echo hi} and a python cell through the sandbox proxy, and a 100-create burst; next to the floors measured in
 * the same run (fork/exec of {@code /bin/true}, the runtime's {@code exec} into a running sandbox). Deletes every
 * sandbox it made, also when it fails or is interrupted.
 */
@Command(
        name = "server",
        description = "Pool hand-out, cold create, commands and code through a real Moat server, against the floors.")
public final class ServerBench implements Callable<Integer> {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POOL_TIMEOUT = Duration.ofSeconds(120);
    private static final Map<String, Object> POOLED = Map.of(
            "image", Map.of("uri", "moat/base:latest"),
            "timeout", 600,
            "env", Map.of("MOAT_BENCH", "1"),
            "metadata", Map.of("bench", "server"));
    /** Limits other than the base type's, so the create cannot be served from the pool. */
    private static final Map<String, Object> COLD = Map.of(
            "image", Map.of("uri", "moat/base:latest"),
            "timeout", 600,
            "resourceLimits", Map.of("cpu", "500m", "memory", "1Gi"),
            "metadata", Map.of("bench", "server-cold"));

    @Option(
            names = "--pool",
            defaultValue = "20",
            description = "POOL_SIZE of the hand-out server (default ${DEFAULT-VALUE})")
    private int pool;

    @Option(
            names = "--handouts",
            defaultValue = "20",
            description = "hand-outs at concurrency 1 (default ${DEFAULT-VALUE})")
    private int handouts;

    @Option(
            names = "--rounds",
            defaultValue = "2",
            description = "rounds of concurrent hand-outs (default ${DEFAULT-VALUE})")
    private int rounds;

    @Option(
            names = "--concurrency",
            defaultValue = "20",
            description = "concurrent hand-outs per round (default ${DEFAULT-VALUE})")
    private int concurrency;

    @Option(names = "--cold", defaultValue = "5", description = "cold creates (default ${DEFAULT-VALUE})")
    private int colds;

    @Option(names = "--commands", defaultValue = "300", description = "echo hi round trips (default ${DEFAULT-VALUE})")
    private int commands;

    @Option(names = "--cells", defaultValue = "100", description = "python cell round trips (default ${DEFAULT-VALUE})")
    private int cells;

    @Option(names = "--execs", defaultValue = "50", description = "runtime exec floor runs (default ${DEFAULT-VALUE})")
    private int execs;

    @Option(names = "--burst", defaultValue = "100", description = "creates in the burst (default ${DEFAULT-VALUE})")
    private int burst;

    @Option(
            names = "--burst-pool",
            defaultValue = "10",
            description = "POOL_SIZE during the burst (default ${DEFAULT-VALUE})")
    private int burstPool;

    private final Report report = new Report();

    @Override
    public Integer call() throws Exception {
        if (concurrency > pool) {
            throw new IllegalArgumentException("--concurrency " + concurrency + " exceeds --pool " + pool
                    + ": the concurrent hand-outs would not all come from the pool");
        }
        long started = System.nanoTime();
        Path images = BenchServer.baseImageStore();
        System.out.printf(
                "server bench, %s, %d cores, load %s%n",
                Instant.now().truncatedTo(ChronoUnit.SECONDS), Host.cores(), Host.loadAverage());
        try (BenchServer server = BenchServer.start(images, pool, Map.of())) {
            awaitFullPool(server, pool);
            handOuts(server);
            String id = handOut(server).id();
            floorsAndRoundTrips(server, id);
            coldCreates(server);
        }
        try (BenchServer server = BenchServer.start(images, burstPool, Map.of())) {
            awaitFullPool(server, burstPool);
            burst(server);
        }
        report.line("whole bench: %.0f s; load at the end %s", (System.nanoTime() - started) / 1e9, Host.loadAverage());
        report.print(System.out);
        return 0;
    }

    // ---- hand-out ------------------------------------------------------------------------------------------------

    /** One create until execd answered: times from the client's side and the server's. */
    private record Handout(String id, String source, double serverMillis, double acceptedMillis, double readyMillis) {}

    /** Figures of a series of hand-outs. */
    private static final class HandoutSeries {
        final Samples server = new Samples();
        final Samples accepted = new Samples();
        final Samples ready = new Samples();
        final AtomicInteger cold = new AtomicInteger();

        void add(Handout handout) {
            if (!handout.source().equals("pool")) {
                cold.incrementAndGet(); // the pool was empty: not a hand-out
                return;
            }
            server.add(handout.serverMillis());
            accepted.add(handout.acceptedMillis());
            ready.add(handout.readyMillis());
        }
    }

    private void handOuts(BenchServer server) throws Exception {
        HandoutSeries single = new HandoutSeries();
        for (int done = 0; done < handouts; ) {
            awaitFullPool(server, pool);
            List<String> made = new ArrayList<>();
            for (int i = 0; i < pool && done < handouts; i++, done++) {
                Handout handout = handOut(server);
                single.add(handout);
                made.add(handout.id());
            }
            deleteAll(server, made);
        }
        HandoutSeries parallel = new HandoutSeries();
        for (int round = 0; round < rounds; round++) {
            awaitFullPool(server, pool);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Handout>> futures = new ArrayList<>();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < concurrency; i++) {
                    futures.add(threads.submit(() -> {
                        go.await();
                        return handOut(server);
                    }));
                }
                go.countDown();
            }
            List<String> made = new ArrayList<>();
            for (Future<Handout> future : futures) {
                Handout handout = future.get();
                parallel.add(handout);
                made.add(handout.id());
            }
            deleteAll(server, made);
        }
        report.heading("pool hand-out (POOL_SIZE=" + pool + ", create with env+metadata -> 202 -> execd /ping 200"
                + " through the proxy; the pool full before each round)");
        handoutRows("concurrency 1", single);
        handoutRows("concurrency " + concurrency, parallel);
    }

    private void handoutRows(String label, HandoutSeries series) {
        report.row(label + ": server-side (Server-Timing)", series.server);
        report.row(label + ": client create -> 202", series.accepted);
        report.row(label + ": client create -> execd ready", series.ready);
        if (series.cold.get() > 0) {
            report.line("%s: %d creates found the pool empty and went cold (left out above)", label, series.cold.get());
        }
        boolean met = !series.server.isEmpty() && series.server.p50() <= 5 && series.server.p99() <= 25;
        report.target(
                "hand-out " + label + ", server-side",
                met,
                "p50 %.2f ms (<= 5), p99 %.2f ms (<= 25)",
                series.server.p50(),
                series.server.p99());
    }

    private Handout handOut(BenchServer server) throws IOException, InterruptedException {
        long start = System.nanoTime();
        ServerClient.Created created = server.client().create(POOLED);
        double accepted = (System.nanoTime() - start) / 1e6;
        String id = accepted(server, created);
        if (!server.client().awaitReady(id, Duration.ofMillis(1), start + READY_TIMEOUT.toNanos())) {
            throw new IllegalStateException("sandbox " + id + " did not answer /ping within " + READY_TIMEOUT);
        }
        return new Handout(
                id,
                created.source(),
                created.serverMillis().orElse(Double.NaN),
                accepted,
                (System.nanoTime() - start) / 1e6);
    }

    private static String accepted(BenchServer server, ServerClient.Created created) {
        if (!created.accepted()) {
            throw new IllegalStateException("create answered " + created.status() + ": " + created.body());
        }
        String id = created.id().orElseThrow();
        server.made(id);
        return id;
    }

    // ---- round trips ---------------------------------------------------------------------------------------------

    private void floorsAndRoundTrips(BenchServer server, String id) throws Exception {
        ServerClient client = server.client();
        OciMeasurements runtime = OciMeasurements.of(server.server().backend());
        Samples exec = new Samples();
        for (int i = -3; i < execs; i++) {
            double millis = runtime.exec(id, List.of("/bin/true")).toNanos() / 1e6;
            if (i >= 0) {
                exec.add(millis);
            }
        }
        // the floor, execd's own socket (no server) and the server's proxy take turns, so all see the same load
        UnixHttp direct = new UnixHttp(
                ((ExecdEndpoint.UnixSocket) server.server().backend().execdEndpoint(id)).path());
        Samples fork = new Samples();
        Samples echoDirect = new Samples();
        Samples echo = new Samples();
        String command = "{\"command\":\"echo hi\"}";
        for (int i = -30; i < commands; i++) {
            double forkMillis = Host.runMillis("/bin/true");
            double directMillis =
                    timed(() -> direct.postJson("/command", command).body(), "hi");
            double proxiedMillis = timed(() -> client.execd(id, "/command", command), "hi");
            if (i >= 0) {
                fork.add(forkMillis);
                echoDirect.add(directMillis);
                echo.add(proxiedMillis);
            }
        }
        Samples pythonDirect = new Samples();
        Samples python = new Samples();
        String cell = "{\"code\":\"1+1\",\"context\":{\"language\":\"python\"}}";
        for (int i = -5; i < cells; i++) {
            double directMillis = timed(() -> direct.postJson("/code", cell).body(), "\"2\"");
            double proxiedMillis = timed(() -> client.execd(id, "/code", cell), "\"2\"");
            if (i >= 0) {
                pythonDirect.add(directMillis);
                python.add(proxiedMillis);
            }
        }
        report.heading("floors (same run)");
        report.row("fork/exec /bin/true (ProcessBuilder)", fork);
        report.row(runtime.runtimeName() + " exec /bin/true into a server sandbox", exec);
        report.heading("round trips (one handed-out sandbox; streams read to the end)");
        report.row("echo hi through the server's proxy", echo, fork);
        report.row("echo hi on execd's socket (no server)", echoDirect, fork);
        report.row("python 1+1 through the server's proxy", python);
        report.row("python 1+1 on execd's socket (no server)", pythonDirect);
        double ratio = echo.p50() / fork.p50();
        report.target(
                "echo hi p50 <= 3x fork p50", ratio <= 3, "%.1fx (%.2f vs %.2f ms)", ratio, echo.p50(), fork.p50());
        report.target("python 1+1 p50 <= 10 ms", python.p50() <= 10, "%.2f ms", python.p50());
    }

    /** A call that answers a body, timed; fails unless the body contains {@code expected}. */
    private interface Call {
        String body() throws IOException, InterruptedException;
    }

    private static double timed(Call call, String expected) throws IOException, InterruptedException {
        long start = System.nanoTime();
        String body = call.body();
        double millis = (System.nanoTime() - start) / 1e6;
        if (!body.contains(expected)) {
            throw new IllegalStateException("expected " + expected + " in the answer: " + body);
        }
        return millis;
    }

    // ---- cold ----------------------------------------------------------------------------------------------------

    private void coldCreates(BenchServer server) throws Exception {
        awaitFullPool(server, pool);
        Samples server202 = new Samples();
        Samples ready = new Samples();
        for (int i = 0; i < colds; i++) {
            long start = System.nanoTime();
            ServerClient.Created created = server.client().create(COLD);
            server202.add(created.serverMillis().orElse(Double.NaN));
            String id = accepted(server, created);
            if (!server.client().awaitReady(id, Duration.ofMillis(5), start + READY_TIMEOUT.toNanos())) {
                throw new IllegalStateException("cold sandbox " + id + " was not ready within " + READY_TIMEOUT);
            }
            ready.addSince(start);
            server.delete(id);
        }
        report.heading("cold create (own resource limits, so not from the pool; pinged every 5 ms)");
        report.row("server-side create -> 202 (Server-Timing)", server202);
        report.row("client create -> execd ready", ready);
    }

    // ---- burst ---------------------------------------------------------------------------------------------------

    private void burst(BenchServer server) throws Exception {
        Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        AtomicInteger fromPool = new AtomicInteger();
        Samples ready = new Samples();
        CountDownLatch go = new CountDownLatch(1);
        long deadline;
        long start;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < burst; i++) {
                threads.submit(() -> {
                    go.await();
                    long begin = System.nanoTime();
                    try {
                        ServerClient.Created created = server.client().create(POOLED);
                        if (!created.accepted()) {
                            failures.computeIfAbsent("create answered " + created.status(), k -> new AtomicInteger())
                                    .incrementAndGet();
                            return null;
                        }
                        String id = accepted(server, created);
                        if (created.source().equals("pool")) {
                            fromPool.incrementAndGet();
                        }
                        if (server.client().awaitReady(id, Duration.ofMillis(20), begin + 150_000_000_000L)) {
                            ready.addSince(begin);
                        } else {
                            failures.computeIfAbsent(
                                            "not ready in 150 s: "
                                                    + server.client().get(id).path("status"),
                                            k -> new AtomicInteger())
                                    .incrementAndGet();
                        }
                    } catch (IOException | RuntimeException e) {
                        failures.computeIfAbsent(e.toString(), k -> new AtomicInteger())
                                .incrementAndGet();
                    }
                    return null;
                });
            }
            start = System.nanoTime();
            go.countDown();
        }
        double completion = (System.nanoTime() - start) / 1e9;
        int failed = failures.values().stream().mapToInt(AtomicInteger::get).sum();
        long deleteStart = System.nanoTime();
        deleteAll(server, List.copyOf(server.madeIds()));
        double deleted = (System.nanoTime() - deleteStart) / 1e9;
        report.heading(burst + " concurrent creates (POOL_SIZE=" + burstPool + "), each until execd answers");
        report.line(
                "completed in %.1f s; %d ready (%d from the pool), %d failed; deleting all took %.1f s",
                completion, ready.size(), fromPool.get(), failed, deleted);
        report.row("per create: create -> execd ready", ready);
        failures.forEach((reason, count) -> report.line("failure x%d: %s", count.get(), reason));
        report.target(
                "burst of " + burst + " creates: 0 failures", failed == 0, "%d failed, %.1f s", failed, completion);
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static void awaitFullPool(BenchServer server, int size) throws IOException, InterruptedException {
        long start = System.nanoTime();
        if (!server.awaitPool(size, POOL_TIMEOUT)) {
            throw new IllegalStateException("the pool did not reach " + size + " warm sandboxes in " + POOL_TIMEOUT);
        }
        System.out.printf("  (pool of %d full after %.1f s)%n", size, (System.nanoTime() - start) / 1e9);
    }

    /** Deletes sandboxes four at a time; one that cannot be deleted is left to {@link BenchServer#close()}. */
    private static void deleteAll(BenchServer server, List<String> ids) throws InterruptedException {
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            for (String id : ids) {
                threads.submit(() -> server.delete(id));
            }
        }
    }
}
