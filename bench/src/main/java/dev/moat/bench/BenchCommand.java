package dev.moat.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code moat bench}: the benchmarks. Each prints its figures next to a floor measured in the same run on the same
 * machine, and the ratio, because absolute numbers on a noisy 2-core machine mean little on their own.
 */
@Command(
        name = "bench",
        description = "Measure Moat against the floors of this machine.",
        subcommands = {CommandLine.HelpCommand.class, ExecdBench.class, BackendBench.class})
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
