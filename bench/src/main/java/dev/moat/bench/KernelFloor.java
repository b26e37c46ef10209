package dev.moat.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The floor of a python cell: {@code kernel-floor.py} drives a fresh ipykernel with jupyter_client (no execd in
 * between) and prints the time of each {@code 1+1} from execute_request until both the reply and status idle came.
 */
final class KernelFloor {

    /** The interpreter of the host's python3 kernelspec, which has jupyter_client next to ipykernel. */
    static final String PYTHON = "/usr/bin/python3";

    private KernelFloor() {}

    static Samples measure(int warmup, int runs) throws IOException, InterruptedException {
        Path script = Files.createTempFile("moat-kernel-floor-", ".py");
        Path errors = Files.createTempFile("moat-kernel-floor-", ".log");
        try (InputStream source = KernelFloor.class.getResourceAsStream("kernel-floor.py")) {
            Files.write(script, source.readAllBytes());
            ProcessBuilder builder = new ProcessBuilder(
                            PYTHON, script.toString(), Integer.toString(warmup), Integer.toString(runs))
                    .redirectError(errors.toFile());
            builder.environment().put("PYDEVD_DISABLE_FILE_VALIDATION", "1"); // execd's kernels run without it too
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException("the kernel floor script failed:\n" + Files.readString(errors));
            }
            Samples samples = new Samples();
            output.lines().filter(line -> !line.isBlank()).forEach(line -> samples.add(Double.parseDouble(line)));
            return samples;
        } finally {
            Files.deleteIfExists(script);
            Files.deleteIfExists(errors);
        }
    }
}
