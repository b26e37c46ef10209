package dev.moat.execd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Starts commands: {@code [setpriv …] bash -c COMMAND} in a process group of its own, with stdin on /dev/null, in the
 * requested cwd, with the requested variables over execd's environment. Foreground commands stream their output;
 * background ones append it to a log on disk. Enforces timeouts, and stops commands by signalling their whole process
 * group: TERM, then KILL after {@link #KILL_GRACE}. Owns the timer and the process threads, and stops every running
 * command on close.
 */
final class CommandRunner implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CommandRunner.class.getName());

    /** How long a stopped command's processes get between TERM and KILL. */
    static final Duration KILL_GRACE = Duration.ofSeconds(2);

    /** The id of the entrypoint given after {@code --} on execd's command line. */
    static final String ENTRYPOINT_ID = "entrypoint";

    private final ShellPrograms programs;
    private final ProcessLauncher startupLauncher;
    private final CompletableFuture<ProcessLauncher> launcher = new CompletableFuture<>();
    private final AtomicBoolean launcherSetUp = new AtomicBoolean();
    private final CommandRegistry registry;
    private final AddedEnvironment added;
    private final LogDirectory logs = new LogDirectory();
    private final ScheduledExecutorService timer;
    private final ExecutorService processThreads;

    CommandRunner(ShellPrograms programs, CommandRegistry registry, AddedEnvironment added) {
        this.programs = programs;
        this.registry = registry;
        this.added = added;
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().daemon().name("execd-command-timer").factory());
        scheduler.setRemoveOnCancelPolicy(true);
        this.timer = scheduler;
        this.processThreads = Executors.newCachedThreadPool(Thread.ofPlatform()
                .daemon()
                .stackSize(256 * 1024)
                .name("execd-process-", 0)
                .factory());
        this.startupLauncher = new ProcessBuilderLauncher(programs);
    }

    /**
     * Sets up the launcher on a thread of its own, once. The posix_spawn launcher's native bindings take a few hundred
     * milliseconds of CPU and a few MB to set up in a fresh JVM, so execd does not do it at start (an idle sandbox
     * never pays for it) nor in the way of a command (ProcessBuilder serves until it is ready).
     */
    private void prepareLauncher() {
        if (launcherSetUp.compareAndSet(false, true)) {
            Thread.ofPlatform().daemon().name("execd-launcher-setup").start(() -> {
                try {
                    ProcessLauncher chosen = ProcessLauncher.forThisSystem(programs, processThreads);
                    if (chosen instanceof SpawnLauncher) {
                        Libc.effectiveUid(); // sets up the bindings for signals too, so the first interrupt is fast
                    }
                    launcher.complete(chosen);
                    if (chosen instanceof SpawnLauncher) {
                        LOG.info(SpawnLauncher.READY);
                    }
                } catch (RuntimeException | LinkageError e) {
                    LOG.warning("commands keep starting through ProcessBuilder: " + e);
                    launcher.complete(startupLauncher);
                }
            });
        }
    }

    ShellPrograms programs() {
        return programs;
    }

    /**
     * The launcher for the next command or session: the one {@link ProcessLauncher#forThisSystem} picks once it is set
     * up (the first call starts that, in the background), ProcessBuilder until then.
     */
    ProcessLauncher launcher() {
        prepareLauncher();
        return launcher.getNow(startupLauncher);
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    /** Platform threads for blocking work on pipes and processes (a blocked virtual thread would pin its carrier). */
    ExecutorService processThreads() {
        return processThreads;
    }

    /** Starts a foreground command; its output is read once the caller streams it. */
    ForegroundCommand startForeground(CommandSpec spec) {
        String id = registry.newId();
        Instant startedAt = Instant.now();
        long started = System.nanoTime();
        ProcessLauncher launcher = launcher();
        ChildProcess process = start(
                launcher,
                launch(programs.shellCommand(spec.command(), spec.user()), spec, Optional.empty()),
                spec.command());
        CommandRecord record = new CommandRecord(
                id, spec.command(), startedAt, Optional.of(ProcessGroup.of(process, launcher)), Optional.empty());
        registry.add(record);
        enforceTimeout(record, spec.timeout());
        return new ForegroundCommand(record, process, started, this);
    }

    /** Starts a background command whose output goes to a log on disk; returns once it runs. */
    CommandRecord startBackground(CommandSpec spec) {
        String id = registry.newId();
        Path logFile = logs.newFile(id);
        CommandRecord record;
        try {
            record = startLogged(id, programs.shellCommand(spec.command(), spec.user()), spec, logFile, launcher());
        } catch (RuntimeException e) {
            deleteQuietly(logFile);
            throw e;
        }
        enforceTimeout(record, spec.timeout());
        return record;
    }

    /**
     * Starts execd's entrypoint as a background command with the fixed id {@value #ENTRYPOINT_ID}; it is never
     * forgotten, and execd keeps serving whether it runs, exits or could not start (its log then says why). It starts
     * through ProcessBuilder, which is ready at once, without setting up the faster launcher.
     */
    void startEntrypoint(List<String> argv) {
        String content = String.join(" ", argv);
        CommandSpec spec =
                new CommandSpec(content, Optional.empty(), true, Optional.empty(), Optional.empty(), Map.of());
        Path logFile = logs.newFile(ENTRYPOINT_ID);
        try {
            startLogged(ENTRYPOINT_ID, programs.launch(argv, Optional.empty()), spec, logFile, startupLauncher);
        } catch (RuntimeException e) {
            String why = "could not start the entrypoint: " + e.getMessage();
            appendQuietly(logFile, "execd: " + why + "\n");
            CommandRecord record = new CommandRecord(
                    ENTRYPOINT_ID, content, Instant.now(), Optional.empty(), Optional.of(new CommandLog(logFile)));
            record.finished(new RunOutcome(127, Optional.of(why), 0));
            registry.add(record);
        }
    }

    /** Starts a command whose output goes to {@code logFile}, and registers it. */
    private CommandRecord startLogged(
            String id, List<String> commandLine, CommandSpec spec, Path logFile, ProcessLauncher launcher) {
        Instant startedAt = Instant.now();
        long started = System.nanoTime();
        ChildProcess process = start(launcher, launch(commandLine, spec, Optional.of(logFile)), spec.command());
        CommandRecord record = new CommandRecord(
                id,
                spec.command(),
                startedAt,
                Optional.of(ProcessGroup.of(process, launcher)),
                Optional.of(new CommandLog(logFile)));
        registry.add(record);
        process.exit().thenAccept(exitCode -> finish(record, exitCode, started));
        return record;
    }

    private Launch launch(List<String> commandLine, CommandSpec spec, Optional<Path> outputFile) {
        Map<String, String> environment = new HashMap<>(added.variables());
        spec.user().ifPresent(user -> environment.putAll(user.environment()));
        environment.putAll(spec.envs());
        return new Launch(commandLine, environment, spec.cwd(), false, outputFile);
    }

    private static ChildProcess start(ProcessLauncher launcher, Launch launch, String command) {
        try {
            return launcher.launch(launch);
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("Argument list too long")) {
                throw ExecdError.INVALID_REQUEST_BODY.exception(
                        "the command and its envs are larger than the kernel's limit for a new process (%s); send"
                                + " less, or upload a script and run that",
                        e.getMessage());
            }
            throw ExecdError.RUNTIME_ERROR.exception("could not start '%s': %s", command, e.getMessage());
        }
    }

    private void enforceTimeout(CommandRecord record, Optional<Duration> timeout) {
        if (timeout.isEmpty()) {
            return;
        }
        long millis = timeout.get().toMillis();
        ScheduledFuture<?> expiry = timer.schedule(
                () -> stop(record, "timed out after " + millis + " ms: execd terminated its process group"),
                millis,
                TimeUnit.MILLISECONDS);
        record.outcome().whenComplete((outcome, failure) -> expiry.cancel(false));
    }

    /** Variables added since execd started, which every new process gets. */
    AddedEnvironment added() {
        return added;
    }

    /** Records how a command ended and lets the registry forget old ones. */
    void finish(CommandRecord record, int exitCode, long startedNanos) {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        record.finished(new RunOutcome(exitCode, record.stopReason(), millis));
        if (!record.id().equals(ENTRYPOINT_ID)) {
            registry.finished(record);
        }
    }

    /** Stops a running command: TERM to its process group, KILL after the grace period. The first reason sticks. */
    void stop(CommandRecord record, String reason) {
        if (record.running() && record.markStopping(reason)) {
            record.group().ifPresent(group -> group.terminate(timer, KILL_GRACE));
        }
    }

    /** Stops a command and waits until it has exited (at most a little longer than the grace period). */
    void stopAndWait(CommandRecord record, String reason) {
        stop(record, reason);
        try {
            record.outcome().get(KILL_GRACE.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // still exiting (a process stuck in the kernel ignores even KILL for a while): the status will say so
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Terminates every running command (TERM, then KILL what is left after a second), and frees the threads. */
    @Override
    public void close() throws IOException {
        List<CommandRecord> running = registry.running();
        for (CommandRecord record : running) {
            record.markStopping("execd is shutting down: it terminated the command's process group");
            record.group().ifPresent(group -> group.signal(ProcessGroup.Signal.TERM));
        }
        try {
            CompletableFuture.allOf(running.stream().map(CommandRecord::outcome).toArray(CompletableFuture[]::new))
                    .get(1, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // some ignore TERM: KILL below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (CommandRecord record : running) {
            record.group().filter(ProcessGroup::isAlive).ifPresent(group -> group.signal(ProcessGroup.Signal.KILL));
        }
        timer.shutdownNow();
        processThreads.shutdownNow();
        logs.close();
    }

    private static void appendQuietly(Path file, String text) {
        try {
            Files.writeString(file, text, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the status still says why the entrypoint did not start
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // an empty log file left in the private log directory, removed when execd stops
        }
    }
}
