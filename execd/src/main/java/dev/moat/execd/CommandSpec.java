package dev.moat.execd;

import dev.moat.protocol.RunCommandRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A checked {@code POST /command} request: everything that can be wrong with it is refused here with a 4xx, before any
 * process starts.
 */
record CommandSpec(
        String command,
        Optional<Path> cwd,
        boolean background,
        Optional<Duration> timeout,
        Optional<RunAs> user,
        Map<String, String> envs) {

    /** Linux refuses a single argument longer than this (MAX_ARG_STRLEN); {@code bash -c} gets the command as one. */
    static final int MAX_COMMAND_BYTES = 128 * 1024 - 1;

    static CommandSpec from(RunCommandRequest request) {
        return new CommandSpec(
                command(request.command()),
                directory(request.cwd()),
                request.isBackground(),
                timeout(request.timeout()),
                RunAs.resolve(request.uid(), request.gid()),
                envs(request.envs()));
    }

    /** A plain foreground command: execd's cwd, environment and user, no timeout. */
    static CommandSpec oneOff(String command) {
        return new CommandSpec(command(command), Optional.empty(), false, Optional.empty(), Optional.empty(), Map.of());
    }

    /** The command text: present, not blank, no NUL byte, short enough for one argument. */
    static String command(String command) {
        if (command == null || command.isBlank()) {
            throw ExecdError.INVALID_REQUEST_BODY.exception(
                    "field 'command' is missing or empty; give a shell command");
        }
        if (command.indexOf('\0') >= 0) {
            throw ExecdError.INVALID_REQUEST_BODY.exception("field 'command' contains a NUL character");
        }
        int bytes = command.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_COMMAND_BYTES) {
            throw ExecdError.INVALID_REQUEST_BODY.exception(
                    "field 'command' is %d bytes; the kernel takes at most %d in one argument: upload it as a script"
                            + " and run that",
                    bytes, MAX_COMMAND_BYTES);
        }
        return command;
    }

    /** A working directory that must exist; absent or empty means execd's own. */
    static Optional<Path> directory(String cwd) {
        if (cwd == null || cwd.isEmpty()) {
            return Optional.empty();
        }
        Path path;
        try {
            path = Path.of(cwd);
        } catch (InvalidPathException e) {
            throw ExecdError.INVALID_REQUEST_BODY.exception("field 'cwd' is not a valid path: %s", e.getMessage());
        }
        if (!Files.isDirectory(path)) {
            throw ExecdError.INVALID_REQUEST_BODY.exception(
                    Files.exists(path)
                            ? "cwd '%s' is not a directory"
                            : "cwd '%s' does not exist; create it first or give another directory",
                    cwd);
        }
        return Optional.of(path);
    }

    /** A timeout in milliseconds; absent or 0 means none. */
    static Optional<Duration> timeout(Long millis) {
        if (millis == null || millis == 0) {
            return Optional.empty();
        }
        if (millis < 0) {
            throw ExecdError.INVALID_REQUEST_BODY.exception(
                    "field 'timeout' must be milliseconds of 0 or more (0 = none), got %d", millis);
        }
        return Optional.of(Duration.ofMillis(millis));
    }

    private static Map<String, String> envs(Map<String, String> envs) {
        if (envs == null) {
            return Map.of();
        }
        envs.forEach((name, value) -> {
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw ExecdError.INVALID_REQUEST_BODY.exception(
                        "envs: '%s' is not a valid variable name (it must be non-empty, without '=' or NUL)", name);
            }
            if (value == null) {
                throw ExecdError.INVALID_REQUEST_BODY.exception(
                        "envs: variable '%s' has no value; give a string (\"\" for empty)", name);
            }
            if (value.indexOf('\0') >= 0) {
                throw ExecdError.INVALID_REQUEST_BODY.exception(
                        "envs: the value of '%s' contains a NUL character", name);
            }
        });
        return Map.copyOf(envs);
    }
}
