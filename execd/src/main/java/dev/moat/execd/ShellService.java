package dev.moat.execd;

import dev.moat.http.Exchange;
import dev.moat.http.Router;
import java.util.List;

/**
 * execd's shell side: commands, background logs, bash sessions and the entrypoint. Registers their routes and, on
 * close, kills every running command group and session.
 */
final class ShellService implements AutoCloseable {

    private final CommandRunner runner;
    private final CommandRegistry registry;
    private final SessionRegistry sessions;
    private final CommandRoutes commandRoutes;
    private final SessionRoutes sessionRoutes;

    private ShellService(CommandRunner runner, CommandRegistry registry) {
        this.runner = runner;
        this.registry = registry;
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

    /**
     * Runs {@code code} as a one-off foreground command, streamed to the client: what {@code POST /code} does with code
     * that names no language, as OpenSandbox's execd does. Its {@code init} id is a command id.
     */
    void runOneOff(Exchange exchange, String code) throws InterruptedException {
        commandRoutes.streamForeground(exchange, CommandSpec.oneOff(code));
    }

    /** Stops the running command {@code id} ({@code DELETE /code?id=}); {@code false} when no such command runs. */
    boolean interrupt(String id) {
        return registry.find(id)
                .filter(CommandRecord::running)
                .map(record -> {
                    runner.stop(record, "interrupted by DELETE /code: execd terminated its process group");
                    return true;
                })
                .orElse(false);
    }

    @Override
    public void close() throws Exception {
        try (runner) {
            sessions.close();
        }
    }
}
