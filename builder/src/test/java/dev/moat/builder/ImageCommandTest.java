package dev.moat.builder;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ImageCommandTest {

    @TempDir
    Path temp;

    /** What one command printed and its exit code. */
    record Run(int status, String out, String err) {}

    /** Runs {@code moat image …} against {@code home}, reporting failures the way {@code dev.moat.dist.Moat} does. */
    static Run run(Path home, String... arguments) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = new CommandLine(new ImageCommand(new MoatHome(home)))
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
                    commandLine.getErr().println("moat: " + e.getMessage());
                    return 1;
                })
                .execute(arguments);
        return new Run(status, out.toString(), err.toString());
    }

    private Run run(String... arguments) {
        return run(temp.resolve("home"), arguments);
    }

    private Path testArchive() throws Exception {
        List<byte[]> layers = ImportTest.layers();
        return TestArchives.dockerArchive(temp.resolve("app.tar"), "test/app:1", TestArchives.config(layers), layers);
    }

    @Test
    void importThenLsShowsNameSizeCreatedAndDigest() throws Exception {
        Run imported = run("import", testArchive().toString(), "--name", "test/app:1");
        assertThat(imported.status()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("imported test/app:1");

        Run listed = run("ls");

        assertThat(listed.status()).isZero();
        List<String> lines = listed.out().lines().toList();
        assertThat(lines.getFirst()).matches("NAME:TAG +SIZE +CREATED +DIGEST");
        assertThat(lines.get(1))
                .matches("test/app:1 +[0-9.]+ kB +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +sha256:[0-9a-f]{12}");
    }

    @Test
    void lsOfAnEmptyStorePrintsTheHeaderOnly() {
        Run listed = run("ls");

        assertThat(listed.status()).isZero();
        assertThat(listed.out().lines()).hasSize(1);
    }

    @Test
    void importNeedsANameAndRefusesToOverwriteWithoutForce() throws Exception {
        Path archive = testArchive();

        Run unnamed = run("import", archive.toString());
        assertThat(unnamed.status()).isEqualTo(2);
        assertThat(unnamed.err()).contains("Missing required option: '--name=NAME:TAG'");

        assertThat(run("import", archive.toString(), "--name", "test/app:1").status())
                .isZero();
        Run again = run("import", archive.toString(), "--name", "test/app:1");
        assertThat(again.status()).isEqualTo(1);
        assertThat(again.err())
                .isEqualTo("moat: image 'test/app:1' already exists; use --force to replace it, or pick another --name"
                        + System.lineSeparator());
        assertThat(run("import", archive.toString(), "--name", "test/app:1", "--force")
                        .status())
                .isZero();
    }

    @Test
    void rmRemovesTheImageAndRefusesPolitelyWhenItIsNotThere() throws Exception {
        run("import", testArchive().toString(), "--name", "test/app:1");

        Run removed = run("rm", "test/app:1");
        assertThat(removed.status()).isZero();
        assertThat(removed.out()).contains("removed test/app:1");
        assertThat(run("ls").out().lines()).hasSize(1);

        Run missing = run("rm", "test/app:1");
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err())
                .startsWith("moat: image 'test/app:1' is not in the image store")
                .contains("import it with: ./moat image import FILE --name test/app:1");
    }

    @Test
    void unknownImageErrorsNameTheImageAndTheCommandThatMakesIt() {
        Run base = run("export", "moat/base:latest", temp.resolve("out.tar").toString());
        assertThat(base.status()).isEqualTo(1);
        assertThat(base.err())
                .contains("image 'moat/base:latest' is not in the image store")
                .contains("build it with: ./moat image build base");

        Run other = run("export", "team/tool:2", temp.resolve("out.tar").toString());
        assertThat(other.err()).contains("import it with: ./moat image import FILE --name team/tool:2");
    }

    @Test
    void badInputGetsOneClearLine() {
        Run recipe = run("build", "fancy");
        assertThat(recipe.status()).isEqualTo(1);
        assertThat(recipe.err()).startsWith("moat: there is no image recipe called 'fancy'; recipes: base");

        Run name = run("rm", "Not/Valid");
        assertThat(name.status()).isEqualTo(1);
        assertThat(name.err()).startsWith("moat: image name 'Not/Valid' is not valid");

        Run file = run("import", temp.resolve("nothing.tar").toString(), "--name", "a:b");
        assertThat(file.err()).startsWith("moat: there is no file " + temp.resolve("nothing.tar") + " to import");
        assertThat(file.err().lines()).hasSize(1);
    }

    @Test
    void buildBaseWhenBuiltSaysItIsUpToDate() throws Exception {
        SharedBaseImage.get();

        Run build = run(SharedBaseImage.HOME, "build", "base");

        assertThat(build.status()).as(build.err()).isZero();
        assertThat(build.out()).contains("moat/base:latest is up to date").contains("use --force to rebuild it");
        assertThat(run(SharedBaseImage.HOME, "ls").out()).contains("moat/base:latest");
    }
}
