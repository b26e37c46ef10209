package dev.moat.backend.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moat.core.spi.SandboxException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One OCI runtime binary ({@code crun}, {@code runc} or {@code runsc}) with its own state directory, driven through
 * its command line. Every call has a time limit; a failure is a {@link SandboxException} naming the sandbox and
 * quoting what the runtime printed.
 */
final class OciRuntime {

    /** The runtimes Moat knows, with the global options each needs. */
    enum Kind {
        CRUN("crun", List.of()),
        RUNC("runc", List.of()),
        // gVisor: its own network stack with loopback only; ptrace works on hosts without KVM; execd's listening
        // socket must be a real host socket in the bind-mounted run directory.
        RUNSC("runsc", List.of("--network=none", "--platform=ptrace", "--host-uds=create"));

        final String binary;
        final List<String> globalOptions;

        Kind(String binary, List<String> globalOptions) {
            this.binary = binary;
            this.globalOptions = globalOptions;
        }
    }

    /** A container's state as the runtime reports it. */
    enum Status {
        CREATED,
        RUNNING,
        PAUSED,
        STOPPED;

        static Status parse(String status) {
            return switch (status.toLowerCase(Locale.ROOT)) {
                case "created", "creating" -> CREATED;
                case "running" -> RUNNING;
                case "paused", "pausing" -> PAUSED;
                default -> STOPPED;
            };
        }
    }

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private final Kind kind;
    private final Path binary;
    private final Path stateRoot;
    private final ObjectMapper json;

    OciRuntime(Kind kind, Path binary, Path stateRoot, ObjectMapper json) {
        this.kind = kind;
        this.binary = binary;
        this.stateRoot = stateRoot;
        this.json = json;
    }

    Kind kind() {
        return kind;
    }

    Path binary() {
        return binary;
    }

    /** {@code runc 1.1.5}: the first line of {@code --version}, or the binary's name when it prints none. */
    String version() {
        HostCommand.Result result = HostCommand.run(List.of(binary.toString(), "--version"), CALL_TIMEOUT);
        String first = result.stdout().lines().findFirst().orElse(kind.binary).strip();
        return first.replace(" version", "");
    }

    /** Creates and starts the container of {@code bundle}, detached; its output goes to the bundle's log. */
    void run(BundleLayout bundle) {
        HostCommand.Result result = HostCommand.runLogged(
                command(
                        "run",
                        "--detach",
                        "--bundle",
                        bundle.directory().toString(),
                        "--pid-file",
                        bundle.pidFile().toString(),
                        bundle.id()),
                START_TIMEOUT,
                bundle.log());
        check(result, bundle.id(), "start");
    }

    /** Runs the container of {@code bundle} in the foreground until it exits (probes and benchmarks). */
    HostCommand.Result runAttached(BundleLayout bundle, Duration timeout) {
        return HostCommand.run(command("run", "--bundle", bundle.directory().toString(), bundle.id()), timeout);
    }

    void pause(String id) {
        check(HostCommand.run(command("pause", id), CALL_TIMEOUT), id, "pause");
    }

    void resume(String id) {
        check(HostCommand.run(command("resume", id), CALL_TIMEOUT), id, "resume");
    }

    /** Sends {@code signal} to the container's processes; false when the container is not running (any more). */
    boolean kill(String id, String signal) {
        return HostCommand.run(command("kill", "--all", id, signal), CALL_TIMEOUT)
                .ok();
    }

    /** Deletes the container whatever its state; a container the runtime does not know is fine. */
    void delete(String id) {
        HostCommand.Result result = HostCommand.run(command("delete", "--force", id), CALL_TIMEOUT);
        if (!result.ok() && state(id).isPresent()) {
            throw failure(result, id, "delete");
        }
    }

    /** The container's status, or empty when the runtime does not know it. */
    Optional<Status> state(String id) {
        HostCommand.Result result = HostCommand.run(command("state", id), CALL_TIMEOUT);
        if (result.timedOut()) {
            throw failure(result, id, "read the state of");
        }
        if (!result.ok()) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    Status.parse(json.readTree(result.stdout()).path("status").asText("stopped")));
        } catch (IOException e) {
            throw new SandboxException(
                    SandboxException.Kind.FAILED,
                    kind.binary + " printed a state of sandbox " + id + " that is not JSON: " + result.stdout());
        }
    }

    /** Every container in this runtime's state directory, by id. */
    Map<String, Status> list() {
        HostCommand.Result result = HostCommand.run(command("list", "--format", "json"), CALL_TIMEOUT);
        if (!result.ok()) {
            throw failure(result, "(all)", "list");
        }
        Map<String, Status> containers = new HashMap<>();
        try {
            JsonNode array = json.readTree(result.stdout().isBlank() ? "[]" : result.stdout());
            for (JsonNode container : array) {
                containers.put(
                        container.path("id").asText(),
                        Status.parse(container.path("status").asText()));
            }
        } catch (IOException e) {
            throw new SandboxException(
                    SandboxException.Kind.FAILED,
                    kind.binary + " list printed something that is not JSON: " + result.stdout());
        }
        return containers;
    }

    /**
     * Runs {@code args} inside the running container, with the container's own user, capabilities, seccomp filter
     * and cgroups; for probes and diagnostics.
     */
    HostCommand.Result exec(String id, List<String> args, Duration timeout) {
        List<String> command = new ArrayList<>(command("exec", id));
        command.addAll(args);
        return HostCommand.run(command, timeout);
    }

    private List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.add("--root");
        command.add(stateRoot.toString());
        command.addAll(kind.globalOptions);
        command.addAll(List.of(args));
        return command;
    }

    private void check(HostCommand.Result result, String id, String action) {
        if (!result.ok()) {
            throw failure(result, id, action);
        }
    }

    private SandboxException failure(HostCommand.Result result, String id, String action) {
        return new SandboxException(
                SandboxException.Kind.FAILED,
                kind.binary + " could not " + action + " sandbox " + id + ": " + result.describe());
    }
}
