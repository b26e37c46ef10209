package dev.moat.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's promise of Java 17 and no dependency beyond the JDK, kept by running it: a small program on a real Java 17
 * runtime, with nothing but the SDK's own classes on its class path, creates a sandbox (lifecycle API, readiness
 * polling, the endpoint's execd), checks it and closes it.
 */
class RunsOnJava17Test {

    @TempDir
    Path temp;

    @Test
    void aProgramWithOnlyTheSdkOnItsClassPathRunsOnJava17() throws Exception {
        Optional<Path> java17 = java17();
        assumeTrue(
                java17.isPresent(), "no Java 17 runtime under /usr/lib/jvm (apt-get install openjdk-17-jre-headless)");
        Path sdkClasses = Path.of(Sandbox.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        Path program = temp.resolve("Main.java");
        Files.writeString(
                program,
                String.join(
                        "\n",
                        "import dev.moat.sdk.*;",
                        "public class Main {",
                        "    public static void main(String[] args) {",
                        "        ConnectionConfig connection = ConnectionConfig.of(args[0], \"key\");",
                        "        try (Sandbox sandbox = Sandbox.builder(connection).image(\"base\").create()) {",
                        "            System.out.println(\"java \" + Runtime.version().feature() + \" \" + sandbox.id() + \" \""
                                + " + sandbox.isHealthy());",
                        "        }",
                        "    }",
                        "}"));

        try (LocalExecd execd = LocalExecd.start();
                FakeLifecycleServer server = new FakeLifecycleServer(execd.url())) {
            Process process = new ProcessBuilder(
                            java17.get().toString(), "-cp", sdkClasses.toString(), program.toString(), server.url())
                    .redirectErrorStream(true)
                    .start();
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(process.exitValue()).as(output).isZero();
            assertThat(output.strip()).isEqualTo("java 17 sbx-1 true");
            assertThat(server.state("sbx-1")).isEqualTo("Terminated");
        }
    }

    private static Optional<Path> java17() throws Exception {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            for (Path home : homes.sorted().toList()) {
                Path java = home.resolve("bin").resolve("java");
                if (Files.isExecutable(java) && version(java).startsWith("17")) {
                    return Optional.of(java);
                }
            }
        }
        return Optional.empty();
    }

    private static String version(Path java) throws Exception {
        Process process = new ProcessBuilder(List.of(java.toString(), "-XshowSettings:properties", "-version"))
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(30, TimeUnit.SECONDS);
        return output.lines()
                .map(String::strip)
                .filter(line -> line.startsWith("java.specification.version = "))
                .map(line -> line.substring("java.specification.version = ".length()))
                .findFirst()
                .orElse("");
    }
}
