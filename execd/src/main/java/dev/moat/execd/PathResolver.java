package dev.moat.execd;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Turns the paths clients send into absolute, normalized paths. A relative path resolves against execd's working
 * directory (the sandbox's working directory, where execd was started); {@code ~} and {@code ~/…} resolve against
 * execd's home directory. {@code .} and {@code ..} are removed lexically, as Go's {@code filepath.Abs} does in
 * OpenSandbox's execd. Environment variables are not expanded: a {@code $} is part of the name.
 */
final class PathResolver {

    /** The JVM encodes file names with the locale's charset, fixed at start-up; only UTF-8 reaches every name. */
    private static final boolean UTF8_NAMES = "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"));

    private final Path workingDirectory;
    private final Path home;

    PathResolver(Path workingDirectory, Path home) {
        this.workingDirectory = workingDirectory.toAbsolutePath().normalize();
        this.home = home.toAbsolutePath().normalize();
    }

    /** The resolver of this process: its working directory and {@code user.home}. */
    static PathResolver ofProcess() {
        if (!UTF8_NAMES) {
            LoggerFactory.getLogger(PathResolver.class)
                    .warn(
                            "file names are {}, not UTF-8: paths with non-ASCII characters will be refused; start execd "
                                    + "with LC_ALL=C.UTF-8",
                            System.getProperty("sun.jnu.encoding"));
        }
        return new PathResolver(Path.of("").toAbsolutePath(), Path.of(System.getProperty("user.home", "/")));
    }

    Path resolve(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw ExecdError.INVALID_FILE.exception(
                    "a path is empty; give an absolute path or one relative to %s", workingDirectory);
        }
        try {
            Path path;
            if (raw.equals("~")) {
                path = home;
            } else if (raw.startsWith("~/")) {
                path = home.resolve(raw.substring(2));
            } else {
                path = workingDirectory.resolve(raw);
            }
            return path.normalize();
        } catch (InvalidPathException e) {
            throw ExecdError.INVALID_FILE.exception(
                    "path '%s' is not valid: %s%s",
                    printable(raw),
                    e.getReason(),
                    UTF8_NAMES ? "" : " (execd runs without a UTF-8 locale; start it with LC_ALL=C.UTF-8)");
        }
    }

    /** The path as it can be shown in a message: control characters (such as NUL) escaped. */
    private static String printable(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        raw.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
