package dev.moat.execd;

import dev.moat.http.HttpServer;
import dev.moat.http.Router;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Entry point of execd: parses the options, starts the HTTP listeners and runs until terminated. */
public final class Execd implements AutoCloseable {

    private final HttpServer server;
    private final List<AutoCloseable> parts;

    /** {@code parts} are closed in order before the server: a stream still open hears why it ends. */
    private Execd(HttpServer server, List<AutoCloseable> parts) {
        this.server = server;
        this.parts = parts;
    }

    public static void main(String[] args) throws Exception {
        Logger.getLogger("org.eclipse.jetty").setLevel(Level.WARNING);
        Execd execd;
        try {
            execd = start(ExecdOptions.parse(args, System.getenv()));
        } catch (IllegalArgumentException e) {
            System.err.println("execd: " + e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            try {
                execd.close();
            } catch (Exception e) {
                System.err.println("execd: shutdown failed: " + e);
            }
        }));
        execd.server.join();
    }

    /** Starts execd with the given options; the caller closes it. */
    public static Execd start(ExecdOptions options) throws Exception {
        Router.Builder routes = Router.builder(ExecdError.VOCABULARY);
        options.accessToken().ifPresent(token -> routes.filter(new AccessTokenFilter(token)));
        routes.get("/ping", exchange -> exchange.sendEmpty(200));
        AddedEnvironment added = new AddedEnvironment();
        ShellService shell = ShellService.start(options.entrypoint(), added);
        shell.register(routes);
        CodeContexts codeContexts = new CodeContexts(KernelSpecs.fromEnvironment(System.getenv()), added);
        new CodeRoutes(codeContexts, shell).register(routes);
        new HandOutRoutes(codeContexts).register(routes);
        PathResolver paths = PathResolver.ofProcess();
        new FileRoutes(paths).register(routes);
        new DirectoryRoutes(paths).register(routes);
        new MetricsRoutes(MetricsSampler.system()).register(routes);
        PortProxy proxy = PortProxy.fromEnvironment(System.getenv());
        routes.any("/proxy/{port}/**", proxy);
        HttpServer.Builder server =
                HttpServer.builder(routes.build()).name("execd").allowEncodedSeparators();
        options.socket().ifPresent(server::unixSocket);
        options.port().ifPresent(port -> server.tcp(options.host(), port));
        Execd execd;
        try {
            execd = new Execd(server.start(), List.of(shell, codeContexts, proxy));
        } catch (Exception e) {
            shell.close();
            codeContexts.close();
            proxy.close();
            throw e;
        }
        options.warmKernels().forEach(codeContexts::warm);
        return execd;
    }

    @Override
    public void close() throws Exception {
        Exception failure = null;
        for (AutoCloseable part : parts) {
            try {
                part.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        server.close();
        if (failure != null) {
            throw failure;
        }
    }
}
