package dev.moat.execd;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * execd's command line: {@code [--socket PATH] [--port N [--host H]] [--access-token T] [--warm-kernel LANGUAGE]...
 * [-- ENTRYPOINT...]}. The access token may also come from {@code EXECD_ACCESS_TOKEN}. TCP binds to 127.0.0.1 unless a
 * host is given, so that a developer running execd on a host never exposes a shell to the network by accident.
 * {@code --warm-kernel python} starts the default context of that language in the background at boot (execd answers
 * {@code /ping} without waiting for it), so that a sandbox's first cell finds its kernel ready; it may be repeated.
 */
public record ExecdOptions(
        Optional<Path> socket,
        Optional<Integer> port,
        String host,
        Optional<String> accessToken,
        List<String> warmKernels,
        List<String> entrypoint) {

    public static final Path DEFAULT_SOCKET = Path.of("/run/moat/execd.sock");

    public static ExecdOptions parse(String[] args, java.util.Map<String, String> environment) {
        Path socket = null;
        Integer port = null;
        String host = "127.0.0.1";
        String token = environment.get("EXECD_ACCESS_TOKEN");
        List<String> warmKernels = new ArrayList<>();
        List<String> entrypoint = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--socket" -> socket = Path.of(value(args, ++i, arg));
                case "--port" -> port = parsePort(value(args, ++i, arg));
                case "--host" -> host = value(args, ++i, arg);
                case "--access-token" -> token = value(args, ++i, arg);
                case "--warm-kernel" -> warmKernels.add(language(value(args, ++i, arg)));
                case "--" -> {
                    entrypoint.addAll(List.of(args).subList(i + 1, args.length));
                    i = args.length;
                }
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'; " + usage());
            }
        }
        if (socket == null && port == null) {
            socket = DEFAULT_SOCKET;
        }
        return new ExecdOptions(
                Optional.ofNullable(socket),
                Optional.ofNullable(port),
                host,
                Optional.ofNullable(token).filter(t -> !t.isEmpty()),
                List.copyOf(warmKernels),
                List.copyOf(entrypoint));
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException("option " + option + " needs a value; " + usage());
        }
        return args[index];
    }

    private static String language(String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException("--warm-kernel needs a language such as python");
        }
        return value.trim();
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port must be a number from 0 to 65535, got '" + value + "'");
        }
    }

    public static String usage() {
        return "usage: execd [--socket PATH] [--port N [--host ADDRESS]] [--access-token TOKEN]"
                + " [--warm-kernel LANGUAGE]... [-- ENTRYPOINT...]"
                + " (--warm-kernel python starts the default python kernel at boot, in the background)";
    }
}
