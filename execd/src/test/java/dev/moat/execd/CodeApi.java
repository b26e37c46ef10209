package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.moat.protocol.CodeContext;
import dev.moat.protocol.ExecEvent;
import dev.moat.protocol.RunCodeRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** The code routes of a real execd, as tests drive them, and what tests ask about kernels and events. */
final class CodeApi {

    static final Path PYTHON_KERNELSPEC = Path.of("/usr/share/jupyter/kernels/python3/kernel.json");

    private final ExecdClient client;

    CodeApi(ExecdClient client) {
        this.client = client;
    }

    /** Skips a test on a machine without python3-ipykernel (./moat installs it, so CI runs these tests). */
    static void assumePythonKernel() {
        assumeTrue(
                Files.isRegularFile(PYTHON_KERNELSPEC),
                "needs the python3 Jupyter kernel: apt-get install python3-ipykernel python3-matplotlib");
    }

    String createContext(String language) throws Exception {
        ExecdClient.Response response = client.post("/code/context", new CodeContext(null, language));
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        CodeContext context = response.json(CodeContext.class);
        assertThat(context.id()).isNotBlank();
        return context.id();
    }

    List<ExecEvent> run(String contextId, String code) throws Exception {
        return client.stream("/code", new RunCodeRequest(new CodeContext(contextId, null), code));
    }

    List<ExecEvent> runInLanguage(String language, String code) throws Exception {
        return client.stream("/code", new RunCodeRequest(new CodeContext(null, language), code));
    }

    /**
     * Runs a cell on another thread; its events collect in the returned list as they arrive. The thread ends with the
     * stream, or when {@code stop} accepts an event (and then drops the connection).
     */
    List<ExecEvent> runInBackground(String contextId, String code, Predicate<ExecEvent> stop) {
        List<ExecEvent> events = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try {
                client.streamUntil("/code", new RunCodeRequest(new CodeContext(contextId, null), code), event -> {
                    events.add(event);
                    return stop.test(event);
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return events;
    }

    List<CodeContext> list(String query) throws Exception {
        ExecdClient.Response response = client.get("/code/contexts" + query);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return List.of(response.json(CodeContext[].class));
    }

    ExecdClient client() {
        return client;
    }

    static List<String> stdout(List<ExecEvent> events) {
        return events.stream()
                .filter(ExecEvent.Stdout.class::isInstance)
                .map(e -> ((ExecEvent.Stdout) e).text())
                .toList();
    }

    static List<String> stderr(List<ExecEvent> events) {
        return events.stream()
                .filter(ExecEvent.Stderr.class::isInstance)
                .map(e -> ((ExecEvent.Stderr) e).text())
                .toList();
    }

    static List<ExecEvent.Result> results(List<ExecEvent> events) {
        return events.stream()
                .filter(ExecEvent.Result.class::isInstance)
                .map(ExecEvent.Result.class::cast)
                .toList();
    }

    /** Checks the shape every stream has: {@code init} first, exactly one terminal event, last. */
    static ExecEvent terminal(List<ExecEvent> events) {
        assertThat(events).first().isInstanceOf(ExecEvent.Init.class);
        assertThat(events.stream().filter(ExecEvent::terminal)).hasSize(1);
        assertThat(events.getLast().terminal())
                .as("last event is terminal: %s", events)
                .isTrue();
        return events.getLast();
    }

    static ExecEvent.ErrorDetail error(List<ExecEvent> events) {
        ExecEvent last = terminal(events);
        assertThat(last).as("terminal event of %s", events).isInstanceOf(ExecEvent.Error.class);
        return ((ExecEvent.Error) last).error();
    }

    static void assertCompleted(List<ExecEvent> events) {
        assertThat(terminal(events)).as("terminal event of %s", events).isInstanceOf(ExecEvent.Complete.class);
    }

    /** The pid of the kernel process of a context, found by its connection file on the command line. */
    static Optional<Long> kernelPid(String contextId) {
        return kernelProcess(contextId).map(ProcessHandle::pid);
    }

    /** The connection file a context's kernel was started with. */
    static Optional<Path> connectionFile(String contextId) {
        String name = "kernel-" + contextId + ".json";
        return kernelProcess(contextId)
                .flatMap(p -> p.info().arguments())
                .flatMap(args -> java.util.Arrays.stream(args)
                        .filter(a -> a.endsWith(name))
                        .findFirst())
                .map(Path::of);
    }

    private static Optional<ProcessHandle> kernelProcess(String contextId) {
        String marker = "kernel-" + contextId + ".json";
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(marker))
                .findFirst();
    }

    /** Whether a process has ended: gone from /proc, or a zombie nobody has reaped yet. */
    static boolean processGone(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException e) {
            return true;
        }
    }
}
