package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.protocol.FileInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** GET /files/search. */
class SearchTest {

    @RegisterExtension
    static final ExecdExtension execd = new ExecdExtension();

    @TempDir
    Path dir;

    @BeforeEach
    void tree() throws Exception {
        for (String file : List.of(
                "README.md",
                "notes.txt",
                "src/A.java",
                "src/main/B.java",
                "src/main/deep/C.java",
                "src/main/readme.txt",
                "docs/guide.txt",
                ".hidden.txt")) {
            Path path = dir.resolve(file);
            Files.createDirectories(path.getParent());
            Files.writeString(path, file);
        }
        Files.createSymbolicLink(dir.resolve("src-link"), dir.resolve("src"));
    }

    private List<String> search(String pattern) throws Exception {
        return execd.files().search(dir, pattern).stream()
                .map(info -> dir.relativize(Path.of(info.path())).toString())
                .toList();
    }

    @Test
    void theDefaultPatternFindsEveryFileButNoDirectoryAndDoesNotFollowLinks() throws Exception {
        assertThat(search(null))
                .containsExactly(
                        ".hidden.txt",
                        "README.md",
                        "docs/guide.txt",
                        "notes.txt",
                        "src/A.java",
                        "src/main/B.java",
                        "src/main/deep/C.java",
                        "src/main/readme.txt",
                        "src-link");
    }

    @Test
    void aPatternWithoutSlashMatchesNamesAtAnyDepth() throws Exception {
        assertThat(search("*.txt"))
                .containsExactly(".hidden.txt", "docs/guide.txt", "notes.txt", "src/main/readme.txt");
        assertThat(search("[A-C].java")).containsExactly("src/A.java", "src/main/B.java", "src/main/deep/C.java");
        assertThat(search("{README,notes}.*")).containsExactly("README.md", "notes.txt");
        assertThat(search("?.java")).hasSize(3);
    }

    @Test
    void aPatternWithSlashMatchesThePathBelowTheRoot() throws Exception {
        assertThat(search("src/**/*.java")).containsExactly("src/A.java", "src/main/B.java", "src/main/deep/C.java");
        assertThat(search("src/*.java")).containsExactly("src/A.java");
        assertThat(search("src/main/**"))
                .containsExactly("src/main/B.java", "src/main/deep/C.java", "src/main/readme.txt");
        assertThat(search("**/deep/*")).containsExactly("src/main/deep/C.java");
        assertThat(search("/docs/*.txt")).containsExactly("docs/guide.txt");
    }

    @Test
    void resultsCarryFullFileInfo() throws Exception {
        FileInfo info = execd.files().search(dir, "A.java").getFirst();

        assertThat(info.path()).isEqualTo(dir.resolve("src/A.java").toString());
        assertThat(info.type()).isEqualTo("file");
        assertThat(info.size()).isEqualTo("src/A.java".length());
        assertThat(info.owner()).isNotBlank();
    }

    @Test
    void aPatternThatMatchesNothingGivesAnEmptyList() throws Exception {
        assertThat(search("*.rs")).isEmpty();
    }

    @Test
    void aMissingRootIs404AndAFileRootIs400() throws Exception {
        ExecdClient.Response missing = execd.files().searchResponse(dir.resolve("missing"), null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.error().code()).isEqualTo("FILE_NOT_FOUND");

        ExecdClient.Response file = execd.files().searchResponse(dir.resolve("notes.txt"), null);
        assertThat(file.status()).isEqualTo(400);
        assertThat(file.error().code()).isEqualTo("INVALID_FILE");
    }

    @Test
    void aMalformedPatternIs400() throws Exception {
        for (String pattern : new String[] {"[abc", "{a,b", "a}", "trailing\\"}) {
            ExecdClient.Response response = execd.files().searchResponse(dir, pattern);
            assertThat(response.status()).as(pattern).isEqualTo(400);
            assertThat(response.error().message()).contains("glob");
        }
    }

    @Test
    void aRootThatIsALinkIsSearched() throws Exception {
        List<FileInfo> found = execd.files().search(dir.resolve("src-link"), "*.java");

        assertThat(found)
                .extracting(FileInfo::path)
                .containsExactly(
                        dir.resolve("src-link/A.java").toString(),
                        dir.resolve("src-link/main/B.java").toString(),
                        dir.resolve("src-link/main/deep/C.java").toString());
    }

    @Test
    void aWideTreeStreamsEveryMatch() throws Exception {
        Path wide = Files.createDirectory(dir.resolve("wide"));
        for (int i = 0; i < 3000; i++) {
            Files.writeString(wide.resolve(String.format("f%05d.log", i)), "");
        }

        List<FileInfo> found = execd.files().search(wide, "*.log");

        assertThat(found).hasSize(3000);
        assertThat(found.getFirst().path()).endsWith("f00000.log");
        assertThat(found.getLast().path()).endsWith("f02999.log");
    }
}
