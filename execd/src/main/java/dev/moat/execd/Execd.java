package dev.moat.execd;

import dev.moat.http.HttpServer;
import dev.moat.http.Router;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Entry point of execd: parses the options, starts the HTTP listeners and runs until terminated. */
public final class Execd implements AutoCloseable {

    private final HttpServer server;
    private final ShellService shell;

    private Execd(HttpServer server, ShellService shell) {
        this.server = server;
        this.shell = shell;
    }

    public static void main(String[] args) throws Exception {
        Logger.getLogger("org.eclipse.jetty").setLevel(Level.WARNING);
        ExecdOptions options;
        try {
            options = ExecdOptions.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("execd: " + e.getMessage());
            System.exit(2);
            return;
        }
        Execd execd = start(options);
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
        ShellService shell = ShellService.start(options.entrypoint());
        shell.register(routes);
        HttpServer.Builder server = HttpServer.builder(routes.build()).name("execd");
        options.socket().ifPresent(server::unixSocket);
        options.port().ifPresent(port -> server.tcp(options.host(), port));
        try {
            return new Execd(server.start(), shell);
        } catch (Exception e) {
            shell.close();
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        try (server) {
            shell.close();
        }
    }
}
