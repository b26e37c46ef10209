package dev.moat.execd;

import dev.moat.http.Router;
import java.util.List;

/**
 * execd's shell side: commands, background logs, bash sessions and the entrypoint. Registers their routes and, on
 * close, kills every running command group and session.
 */
final class ShellService implements AutoCloseable {

    private final CommandRunner runner;
    private final SessionRegistry sessions;
    private final CommandRoutes commandRoutes;
    private final SessionRoutes sessionRoutes;

    private ShellService(CommandRunner runner, CommandRegistry registry) {
        this.runner = runner;
        this.sessions = new SessionRegistry(runner);
        this.commandRoutes = new CommandRoutes(runner, registry, sessions);
        this.sessionRoutes = new SessionRoutes(sessions);
    }

    /** Finds the shell programs and starts the entrypoint, if any, as background command {@code entrypoint}. */
    static ShellService start(List<String> entrypoint, AddedEnvironment added) {
        CommandRegistry registry = new CommandRegistry();
        ShellService service =
                new ShellService(new CommandRunner(ShellPrograms.find(System.getenv()), registry, added), registry);
        if (!entrypoint.isEmpty()) {
            service.runner.startEntrypoint(entrypoint);
        }
        return service;
    }

    void register(Router.Builder routes) {
        commandRoutes.register(routes);
        sessionRoutes.register(routes);
    }

    @Override
    public void close() throws Exception {
        try (runner) {
            sessions.close();
        }
    }
}
