package dev.moat.dist;

import dev.moat.bench.BenchCommand;
import dev.moat.builder.ImageCommand;
import dev.moat.server.ServerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code moat} command line behind {@code ./moat}: every subcommand that runs on the JVM (the launcher script
 * handles {@code test} and {@code execd} itself). Subcommands live in the modules that own them and are listed here;
 * {@code server} is given the base image build of the builder module, which the server module does not depend on.
 */
@Command(
        name = "moat",
        mixinStandardHelpOptions = true,
        description = "Moat: a self-hosted sandbox server for AI agents.",
        subcommands = {CommandLine.HelpCommand.class, ImageCommand.class, BenchCommand.class})
public final class Moat implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int status = new CommandLine(new Moat())
                .addSubcommand(new ServerCommand(new FirstRunImages()))
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
                    commandLine.getErr().println("moat: " + e.getMessage());
                    return 1;
                })
                .execute(args);
        System.exit(status);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
