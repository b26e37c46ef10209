package dev.moat.bench;

import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code moat bench}: the benchmarks. Each prints its figures next to a floor measured in the same run on the same
 * machine, and the ratio, because absolute numbers on a noisy 2-core machine mean little on their own. Without a
 * subcommand it runs every benchmark, one after the other; one that fails does not stop the others.
 */
@Command(
        name = "bench",
        description = "Measure Moat against the floors of this machine; without a subcommand, run them all.",
        subcommands = {CommandLine.HelpCommand.class, ExecdBench.class, BackendBench.class, ServerBench.class})
public final class BenchCommand implements java.util.concurrent.Callable<Integer> {

    /** The order in which {@code moat bench} runs them all; benchmarks not listed run after these. */
    private static final List<String> ORDER = List.of("execd", "backend", "server");

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, CommandLine> benches = new java.util.LinkedHashMap<>();
        ORDER.forEach(name -> {
            CommandLine bench = spec.commandLine().getSubcommands().get(name);
            if (bench != null) {
                benches.put(name, bench);
            }
        });
        spec.commandLine().getSubcommands().forEach((name, bench) -> {
            if (!name.equals("help")) {
                benches.putIfAbsent(name, bench);
            }
        });
        int status = 0;
        for (Map.Entry<String, CommandLine> bench : benches.entrySet()) {
            System.out.println("== moat bench " + bench.getKey() + " ==");
            int exit = bench.getValue().execute();
            System.out.println();
            status = Math.max(status, exit);
        }
        return status;
    }
}
