package dev.moat.builder;

import dev.moat.core.spi.SandboxException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs mmdebstrap for one image: its output goes to a log file and, condensed, to the progress; the process is
 * tracked by the pending image so that an abandoned build stops it before its directory is deleted.
 */
final class Mmdebstrap {

    static final Duration TIMEOUT = Duration.ofMinutes(30);

    private Mmdebstrap() {}

    /** Fails with an instruction when mmdebstrap is not installed. */
    static void requireInstalled() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String directory : path.split(":")) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, "mmdebstrap"))) {
                return;
            }
        }
        throw new SandboxException(
                SandboxException.Kind.UNAVAILABLE,
                "mmdebstrap is not installed, and Moat builds its base image with it: install it with "
                        + "'apt-get install mmdebstrap' (./moat does this itself when run as root)");
    }

    /** Runs mmdebstrap to completion; a failure names the first errors it printed and the log file. */
    static void run(List<String> arguments, PendingImage pending, Path log, Progress progress)
            throws InterruptedException, IOException {
        List<String> command = new ArrayList<>();
        command.add("mmdebstrap");
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("LC_ALL", "C.UTF-8");
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Files.createDirectories(log.getParent());
        MmdebstrapOutput output = new MmdebstrapOutput(progress);
        Process process = builder.start();
        pending.track(process);
        process.getOutputStream().close();
        Thread reader = Thread.ofVirtual().start(() -> copy(process, log, output));
        if (!process.waitFor(TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
            throw new SandboxException(
                    SandboxException.Kind.FAILED,
                    "mmdebstrap did not finish within " + TIMEOUT.toMinutes() + " minutes (log: " + log + ")");
        }
        reader.join(Duration.ofSeconds(10));
        if (process.exitValue() != 0) {
            List<String> errors = output.errors();
            String reason =
                    errors.isEmpty() ? "see the log" : String.join("; ", errors.subList(0, Math.min(3, errors.size())));
            throw new SandboxException(
                    SandboxException.Kind.FAILED,
                    "mmdebstrap failed with exit code " + process.exitValue() + ": " + reason + " (log: " + log + ")");
        }
    }

    private static void copy(Process process, Path log, MmdebstrapOutput output) {
        try (BufferedReader lines =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter file = new PrintWriter(Files.newBufferedWriter(log))) {
            String line;
            while ((line = lines.readLine()) != null) {
                file.println(line);
                output.accept(line);
            }
        } catch (IOException e) {
            output.accept("E: cannot read mmdebstrap's output: " + e.getMessage());
        }
    }
}
