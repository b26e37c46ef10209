package dev.moat.sdk;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a command runs: working directory, extra environment, a timeout after which the server kills it, and the user
 * and group ids to run as. Immutable: every {@code with…} returns a new instance. Inside a session only the working
 * directory and the timeout apply.
 */
public final class CommandOptions {

    private static final CommandOptions DEFAULTS =
            new CommandOptions(null, Map.of(), null, OptionalInt.empty(), OptionalInt.empty());

    private final String cwd;
    private final Map<String, String> env;
    private final Duration timeout;
    private final OptionalInt uid;
    private final OptionalInt gid;

    private CommandOptions(String cwd, Map<String, String> env, Duration timeout, OptionalInt uid, OptionalInt gid) {
        this.cwd = cwd;
        this.env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        this.timeout = timeout;
        this.uid = uid;
        this.gid = gid;
    }

    /** The server's defaults: its working directory and environment, no timeout, execd's user. */
    public static CommandOptions defaults() {
        return DEFAULTS;
    }

    public CommandOptions withCwd(String directory) {
        return new CommandOptions(Objects.requireNonNull(directory, "directory"), env, timeout, uid, gid);
    }

    /** Adds one environment variable. */
    public CommandOptions withEnv(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(env);
        more.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new CommandOptions(cwd, more, timeout, uid, gid);
    }

    /** Adds environment variables. */
    public CommandOptions withEnv(Map<String, String> variables) {
        Map<String, String> more = new LinkedHashMap<>(env);
        variables.forEach((name, value) ->
                more.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value of " + name)));
        return new CommandOptions(cwd, more, timeout, uid, gid);
    }

    /** The server kills the command after this long (sent in milliseconds, at least 1). */
    public CommandOptions withTimeout(Duration limit) {
        if (limit.isNegative() || limit.toMillis() < 1) {
            throw new IllegalArgumentException("timeout must be at least 1 ms, got " + limit);
        }
        return new CommandOptions(cwd, env, limit, uid, gid);
    }

    /** Runs as this user id (with its primary group, as the server decides). */
    public CommandOptions withUser(int userId) {
        return new CommandOptions(cwd, env, timeout, OptionalInt.of(nonNegative(userId, "uid")), OptionalInt.empty());
    }

    /** Runs as this user and group id. */
    public CommandOptions withUser(int userId, int groupId) {
        return new CommandOptions(
                cwd,
                env,
                timeout,
                OptionalInt.of(nonNegative(userId, "uid")),
                OptionalInt.of(nonNegative(groupId, "gid")));
    }

    public Optional<String> cwd() {
        return Optional.ofNullable(cwd);
    }

    public Map<String, String> env() {
        return env;
    }

    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    public OptionalInt uid() {
        return uid;
    }

    public OptionalInt gid() {
        return gid;
    }

    /** The body of {@code POST /command}. */
    Map<String, Object> commandRequest(String command, boolean background) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("command", command);
        cwd().ifPresent(value -> body.put("cwd", value));
        body.put("background", background);
        timeout().ifPresent(value -> body.put("timeout", value.toMillis()));
        uid.ifPresent(value -> body.put("uid", value));
        gid.ifPresent(value -> body.put("gid", value));
        if (!env.isEmpty()) {
            body.put("envs", env);
        }
        return body;
    }

    /** The body of {@code POST /session/{id}/run}, which knows only a working directory and a timeout. */
    Map<String, Object> sessionRequest(String command) {
        if (!env.isEmpty() || uid.isPresent()) {
            throw new IllegalArgumentException(
                    "a command in a session runs in the session's shell: set environment variables with export,"
                            + " and choose the user when running outside a session");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("command", command);
        cwd().ifPresent(value -> body.put("cwd", value));
        timeout().ifPresent(value -> body.put("timeout", value.toMillis()));
        return body;
    }

    private static int nonNegative(int id, String name) {
        if (id < 0) {
            throw new IllegalArgumentException(name + " must not be negative, got " + id);
        }
        return id;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CommandOptions
                && Objects.equals(cwd, ((CommandOptions) other).cwd)
                && env.equals(((CommandOptions) other).env)
                && Objects.equals(timeout, ((CommandOptions) other).timeout)
                && uid.equals(((CommandOptions) other).uid)
                && gid.equals(((CommandOptions) other).gid);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cwd, env, timeout, uid, gid);
    }

    @Override
    public String toString() {
        return "CommandOptions[cwd=" + cwd + ", env=" + env.keySet() + ", timeout=" + timeout + ", uid=" + uid
                + ", gid=" + gid + "]";
    }
}
