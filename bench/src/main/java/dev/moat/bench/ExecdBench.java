package dev.moat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code moat bench execd}: execd on this host, started by its real launcher on a Unix socket. Time to the first
 * {@code /ping}; a {@code true} command round trip against the fork/exec floor (ProcessBuilder running
 * {@code /bin/true}, interleaved with it); a python {@code 1+1} cell against the kernel-only floor (jupyter_client
 * talking to ipykernel directly); idle PSS of execd's process tree without and with a started kernel.
 */
@Command(
        name = "execd",
        description = "Start-up, command and cell round trips, and idle memory of execd, against this host's floors.")
public final class ExecdBench implements Callable<Integer> {

    private static final double READY_TARGET_MS = 150;
    private static final double ROUND_TRIP_TARGET_RATIO = 3;
    private static final double CELL_TARGET_MS = 10;
    private static final double IDLE_TARGET_MB = 40;
    private static final long SETTLE_MILLIS = 6000;

    @Option(names = "--starts", defaultValue = "10", description = "execd starts to time (default ${DEFAULT-VALUE})")
    private int starts;

    @Option(
            names = "--commands",
            defaultValue = "500",
            description = "'true' round trips to time (default ${DEFAULT-VALUE})")
    private int commands;

    @Option(names = "--cells", defaultValue = "60", description = "python cells to time (default ${DEFAULT-VALUE})")
    private int cells;

    @Override
    public Integer call() throws Exception {
        Path runtime = Path.of(System.getProperty("moat.runtime", "execd/target/opt-moat"));
        if (!Files.isExecutable(runtime.resolve("bin/execd"))) {
            System.err.println("no execd launcher at " + runtime.resolve("bin/execd") + ": build with ./moat first");
            return 1;
        }
        System.out.println("execd: " + runtime.resolve("bin/execd") + " on a Unix socket");
        System.out.println("load:  " + Host.loadAverage() + " (1, 5, 15 min) on " + Host.cores() + " cores");
        System.out.println();
        ready(runtime);
        try (LocalExecd execd = LocalExecd.start(runtime)) {
            settle();
            long fresh = execd.treePssBytes();
            commands(execd.http());
            settle();
            long afterCommands = execd.treePssBytes();
            System.out.println();
            memory("idle PSS, execd fresh (after /ping)", fresh);
            memory("idle PSS, execd after the commands", afterCommands);
            System.out.println();
            if (Files.isExecutable(Path.of(KernelFloor.PYTHON))) {
                CellTimes cells = cells(execd.http());
                settle();
                long withKernel = execd.treePssBytes();
                long kernel = withKernel - execd.ownPssBytes();
                System.out.println();
                System.out.printf(
                        Locale.ROOT,
                        "%-44s %7.1f MB   (execd %.1f MB + kernel %.1f MB)%n",
                        "idle PSS, execd with a started kernel",
                        withKernel / 1e6,
                        (withKernel - kernel) / 1e6,
                        kernel / 1e6);
                System.out.printf(
                        Locale.ROOT, "(python kernel start via POST /code/context: %.0f ms)%n", cells.start());
            } else {
                System.out.println("python cells: skipped, " + KernelFloor.PYTHON + " is missing");
            }
        }
        System.out.println();
        System.out.println("load:  " + Host.loadAverage() + " (1, 5, 15 min) at the end");
        return 0;
    }

    /** Time from fork to the first 200 of {@code /ping}, next to the same JVM starting and exiting. */
    private void ready(Path runtime) throws IOException, InterruptedException {
        Samples ready = new Samples();
        Samples cpu = new Samples();
        Samples jvm = new Samples();
        for (int i = 0; i < starts; i++) {
            jvm.add(Host.runMillis(runtime.resolve("runtime/bin/java").toString(), "-Xshare:auto", "-version"));
            try (LocalExecd execd = LocalExecd.start(runtime)) {
                ready.add(execd.readyMillis());
                cpu.add(execd.readyCpuMillis());
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%-44s median %6.1f ms  (min %.1f, max %.1f)   target <= %.0f ms: %s%n",
                "start -> first /ping 200 (" + starts + " starts)",
                ready.p50(),
                ready.min(),
                ready.max(),
                READY_TARGET_MS,
                verdict(ready.p50() <= READY_TARGET_MS));
        System.out.printf(
                Locale.ROOT,
                "%-44s median %6.1f ms  (min %.1f, max %.1f)%n",
                "floor: the same java runtime, -version",
                jvm.p50(),
                jvm.min(),
                jvm.max());
        System.out.printf(
                Locale.ROOT,
                "%-44s median %6.1f ms  (all threads; a sandbox with 1 CPU cannot be ready sooner)%n",
                "CPU used by execd until /ping",
                cpu.p50());
        System.out.println();
    }

    /** {@code true} through execd, interleaved with ProcessBuilder running /bin/true, so load hits both alike. */
    private void commands(UnixHttp http) throws IOException, InterruptedException {
        for (int i = 0; i < 20; i++) {
            command(http);
            Host.runMillis("/bin/true");
        }
        Samples execd = new Samples();
        Samples floor = new Samples();
        for (int i = 0; i < commands; i++) {
            long start = System.nanoTime();
            command(http);
            execd.addSince(start);
            floor.add(Host.runMillis("/bin/true"));
        }
        row("'true' round trip, POST /command (" + commands + ")", execd, floor);
        row("floor: ProcessBuilder /bin/true", floor, floor);
        double ratio = execd.p50() / floor.p50();
        System.out.printf(
                Locale.ROOT,
                "%-44s p50 %.2fx  p99 %.2fx   target <= %.0fx: %s%n",
                "round trip / floor",
                ratio,
                execd.percentile(99) / floor.percentile(99),
                ROUND_TRIP_TARGET_RATIO,
                verdict(ratio <= ROUND_TRIP_TARGET_RATIO));
    }

    private static void command(UnixHttp http) throws IOException {
        UnixHttp.Response response = http.postJson("/command", "{\"command\":\"true\"}");
        if (response.status() != 200 || !response.body().contains("execution_complete")) {
            throw new IllegalStateException("'true' did not complete: " + response);
        }
    }

    private record CellTimes(double start) {}

    /** {@code 1+1} in a python context through execd, then the same cell with jupyter_client straight to a kernel. */
    private CellTimes cells(UnixHttp http) throws IOException, InterruptedException {
        long start = System.nanoTime();
        UnixHttp.Response created = http.postJson("/code/context", "{\"language\":\"python\"}");
        double started = (System.nanoTime() - start) / 1e6;
        if (created.status() != 200) {
            throw new IllegalStateException("no python context: " + created);
        }
        String id = created.body().replaceAll("(?s).*\"id\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        String request = "{\"context\":{\"id\":\"" + id + "\"},\"code\":\"1+1\"}";
        for (int i = 0; i < 10; i++) {
            cell(http, request);
        }
        Samples execd = new Samples();
        for (int i = 0; i < cells; i++) {
            long begin = System.nanoTime();
            cell(http, request);
            execd.addSince(begin);
        }
        Samples floor = KernelFloor.measure(10, cells);
        row("python '1+1' cell, POST /code (" + cells + ")", execd, floor);
        row("floor: jupyter_client -> ipykernel", floor, floor);
        System.out.printf(
                Locale.ROOT,
                "%-44s p50 %.1f ms   target <= %.0f ms: %s%n",
                "cell round trip",
                execd.p50(),
                CELL_TARGET_MS,
                verdict(execd.p50() <= CELL_TARGET_MS));
        return new CellTimes(started);
    }

    private static void cell(UnixHttp http, String request) throws IOException {
        UnixHttp.Response response = http.postJson("/code", request);
        if (response.status() != 200 || !response.body().contains("\"text/plain\":\"2\"")) {
            throw new IllegalStateException("'1+1' did not give 2: " + response);
        }
    }

    private static void memory(String what, long bytes) {
        System.out.printf(
                Locale.ROOT,
                "%-44s %7.1f MB   target <= %.0f MB: %s%n",
                what,
                bytes / 1e6,
                IDLE_TARGET_MB,
                verdict(bytes / 1e6 <= IDLE_TARGET_MB));
    }

    private static void row(String what, Samples values, Samples floor) {
        System.out.printf(
                Locale.ROOT,
                "%-44s p50 %6.2f ms   p99 %6.2f ms   (%.2fx the floor's p50)%n",
                what,
                values.p50(),
                values.percentile(99),
                values.p50() / floor.p50());
    }

    private static String verdict(boolean met) {
        return met ? "met" : "MISSED";
    }

    private static void settle() throws InterruptedException {
        // let the JIT and the GC finish with what just ran, and the JVM trim the native heap (every 5 s), before
        // counting
        Thread.sleep(SETTLE_MILLIS);
    }
}
