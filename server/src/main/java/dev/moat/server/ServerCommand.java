package dev.moat.server;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code moat server} (also installed as {@code runtime-sandbox-server}): reads the configuration, prepares the
 * images of the pooled types, starts the server and runs until interrupted; then it stops cleanly.
 */
@Command(
        name = "server",
        description = "Start the Moat server (OpenSandbox lifecycle API and sandbox proxy).",
        mixinStandardHelpOptions = true)
public final class ServerCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--config", description = "a KEY=VALUE file of settings (the environment wins)")
    private Path config;

    @Option(names = "--extension", description = "a file of custom sandbox types (not supported yet)")
    private List<Path> extensions = List.of();

    private final ImagePreparation prepareImages;

    /** A command that prepares images with {@code prepareImages} before the pools start. */
    public ServerCommand(ImagePreparation prepareImages) {
        this.prepareImages = prepareImages;
    }

    public ServerCommand() {
        this(ImagePreparation.NONE);
    }

    /** Runs the server alone, without the rest of the {@code moat} command line (tests start it this way). */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ServerCommand())
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
                    commandLine.getErr().println("moat: " + e.getMessage());
                    return 1;
                })
                .execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (!extensions.isEmpty()) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--extension (custom sandbox types) is not supported yet");
        }
        ServerConfig settings;
        try {
            settings =
                    ServerConfig.from(ConfigSource.load(Optional.ofNullable(config), Path.of(".env"), System.getenv()));
        } catch (ConfigException e) {
            System.err.println("moat: configuration error: " + e.getMessage());
            return 2;
        }
        if (settings.debug()) {
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                    .setLevel(ch.qos.logback.classic.Level.DEBUG);
        }
        MoatServer server;
        try {
            server = MoatServer.start(settings, prepareImages);
        } catch (ConfigException e) {
            System.err.println("moat: configuration error: " + e.getMessage());
            return 2;
        } catch (ServerLock.Held e) {
            System.err.println("moat: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("moat: shutdown failed: " + e);
            } finally {
                stopped.countDown();
            }
        }));
        stopped.await();
        return 0;
    }
}
