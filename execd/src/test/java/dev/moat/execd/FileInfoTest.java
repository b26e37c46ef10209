package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.moat.protocol.FileInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class FileInfoTest {

    @RegisterExtension
    static final ExecdExtension execd = new ExecdExtension();

    @TempDir
    Path dir;

    @Test
    void infoDescribesAFileWithOctalModeNamesAndRfc3339Times() throws Exception {
        Path file = dir.resolve("a.txt");
        Files.writeString(file, "hello");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-x---"));

        FileInfo info = execd.files().info(file);

        assertThat(info.path()).isEqualTo(file.toString());
        assertThat(info.type()).isEqualTo("file");
        assertThat(info.size()).isEqualTo(5);
        assertThat(info.mode()).isEqualTo(750);
        assertThat(info.owner()).isEqualTo(System.getProperty("user.name"));
        assertThat(info.group()).isNotBlank();
        assertThat(Instant.parse(info.modifiedAt()))
                .isCloseTo(Files.getLastModifiedTime(file).toInstant(), within(1, ChronoUnit.MILLIS));
        assertThat(Instant.parse(info.createdAt())).isBefore(Instant.now().plusSeconds(1));
    }

    @Test
    void infoOfSeveralPathsIsKeyedByThePathAsGiven() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), sub);
        String unnormalized = dir + "/sub/../sub";

        Map<String, FileInfo> infos = execd.files().info(sub, link, unnormalized);

        assertThat(infos).containsOnlyKeys(sub.toString(), link.toString(), unnormalized);
        assertThat(infos.get(sub.toString()).type()).isEqualTo("directory");
        assertThat(infos.get(link.toString()).type())
                .as("a link is described, not followed")
                .isEqualTo("symlink");
        assertThat(infos.get(unnormalized).path()).isEqualTo(sub.toString());
    }

    @Test
    void infoReportsSpecialBitsAndNumericIdsWithoutNames() throws Exception {
        FilesClient.assumeRoot();
        Path file = Files.writeString(dir.resolve("setuid"), "");
        Files.setAttribute(file, "unix:uid", 54321);
        Files.setAttribute(file, "unix:gid", 54322);
        Files.setAttribute(file, "unix:mode", 04755);

        FileInfo info = execd.files().info(file);

        assertThat(info.mode()).isEqualTo(4755);
        assertThat(info.owner()).isEqualTo("54321");
        assertThat(info.group()).isEqualTo("54322");
    }

    @Test
    void relativePathsResolveAgainstTheWorkingDirectoryOfExecd() throws Exception {
        Files.writeString(execd.directory().resolve("relative.txt"), "x");

        FileInfo info = execd.files().info("relative.txt").get("relative.txt");

        assertThat(info.path())
                .isEqualTo(execd.directory().resolve("relative.txt").toString());
    }

    @Test
    void infoOfAMissingPathIs404NamingIt() throws Exception {
        Path missing = dir.resolve("missing.txt");
        Files.writeString(dir.resolve("present"), "");

        ExecdClient.Response response = execd.files().infoResponse(dir.resolve("present"), missing);

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.error().code()).isEqualTo("FILE_NOT_FOUND");
        assertThat(response.error().message()).contains(missing.toString());
    }

    @Test
    void infoBelowAFileIs404() throws Exception {
        Path file = Files.writeString(dir.resolve("plain"), "");

        ExecdClient.Response response = execd.files().infoResponse(file.resolve("child"));

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.error().code()).isEqualTo("FILE_NOT_FOUND");
    }

    @Test
    void infoWithoutPathIs400() throws Exception {
        ExecdClient.Response response = execd.client().get("/files/info");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.error().code()).isEqualTo("MISSING_QUERY");
    }

    @Test
    void aPathWithANulByteIs400() throws Exception {
        ExecdClient.Response response = execd.files().infoResponse(dir + "/bad\u0000name");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.error().code()).isEqualTo("INVALID_FILE");
        assertThat(response.error().message()).contains("\\u0000");
    }

    @Test
    void unicodeNamesWorkUnderAUtf8Locale() throws Exception {
        Assumptions.assumeTrue(
                "UTF-8".equals(System.getProperty("sun.jnu.encoding")), "the test JVM itself needs a UTF-8 locale");
        try (ExecdProcess utf8 = ExecdProcess.start(Map.of("LC_ALL", "C.UTF-8"))) {
            FilesClient client = new FilesClient(utf8.client());
            Path file = dir.resolve("données-日本.txt");

            client.write(file, "ü");

            assertThat(Files.readString(file)).isEqualTo("ü");
            assertThat(client.info(file).size()).isEqualTo(2);
            assertThat(client.list(dir, 1)).extracting(FileInfo::path).containsExactly(file.toString());
        }
    }
}
