package dev.moat.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The file API through the SDK, against a real execd writing to a real directory. */
class SandboxFilesTest {

    @RegisterExtension
    static final RealExecd real = RealExecd.serving("/files/info?path=/", "files");

    private final SandboxFiles files = real.client().files();
    private String root;

    @TempDir
    Path local;

    @BeforeEach
    void freshDirectory() throws Exception {
        root = java.nio.file.Files.createTempDirectory(real.execd().directory(), "files-")
                .toString();
    }

    @Test
    void writesAndReadsTextAndBytes() {
        String text = "héllo wörld 中文 😀\nsecond line\n";
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }

        files.write(root + "/deep/er/text.txt", text);
        files.write(root + "/all.bin", bytes);

        assertThat(files.read(root + "/deep/er/text.txt")).isEqualTo(text);
        assertThat(files.readBytes(root + "/all.bin")).isEqualTo(bytes);
        assertThat(files.readBytes(root + "/deep/er/text.txt")).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void streamsLargeFilesBothWays() throws Exception {
        long size = 64L * 1024 * 1024;
        AtomicBoolean closed = new AtomicBoolean();

        files.write(root + "/big.bin", new MultipartBodyTest.GeneratedStream(size, closed));

        assertThat(closed).isTrue();
        assertThat(files.info(root + "/big.bin").size()).isEqualTo(size);
        String expected = MultipartBodyTest.sha256(new MultipartBodyTest.GeneratedStream(size, new AtomicBoolean()));
        assertThat(MultipartBodyTest.sha256(files.open(root + "/big.bin"))).isEqualTo(expected);

        Path copy = local.resolve("copy.bin");
        assertThat(files.download(root + "/big.bin", copy)).isEqualTo(size);
        assertThat(MultipartBodyTest.sha256(java.nio.file.Files.newInputStream(copy)))
                .isEqualTo(expected);
    }

    @Test
    void uploadsALocalFile() throws Exception {
        Path source = local.resolve("report.csv");
        java.nio.file.Files.writeString(source, "a,b\n1,2\n");

        files.upload(source, root + "/report.csv");

        assertThat(files.read(root + "/report.csv")).isEqualTo("a,b\n1,2\n");
    }

    @Test
    void readsPartOfAFile() throws Exception {
        files.write(root + "/digits", "0123456789");

        try (InputStream middle = files.open(root + "/digits", ByteRange.of(2, 3));
                InputStream tail = files.open(root + "/digits", ByteRange.from(7))) {
            assertThat(new String(middle.readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("234");
            assertThat(new String(tail.readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("789");
        }
    }

    @Test
    void writesSeveralFilesInOneRequestWithTheirModes() {
        files.write(List.of(
                FileUpload.of(root + "/a.txt", "A"),
                FileUpload.of(root + "/sub/b.sh", "echo B").withPermission(Permission.mode(755)),
                FileUpload.of(root + "/c.bin", new byte[] {1, 2, 3}).withPermission(Permission.mode(600))));

        assertThat(files.read(root + "/a.txt")).isEqualTo("A");
        assertThat(files.info(root + "/sub/b.sh").mode()).isEqualTo(755);
        assertThat(files.info(root + "/c.bin").mode()).isEqualTo(600);
        assertThat(files.info(root + "/c.bin").permissions()).isEqualTo(0600);
    }

    @Test
    void listsEntriesOneOrMoreLevelsDeep() {
        files.createDirectory(root + "/tree/inner");
        files.write(root + "/tree/b.txt", "bb");
        files.write(root + "/tree/inner/c.txt", "c");

        List<FileInfo> children = files.list(root + "/tree");
        assertThat(children).extracting(FileInfo::path).containsExactly(root + "/tree/b.txt", root + "/tree/inner");
        assertThat(children.get(0).type()).isEqualTo(FileType.FILE);
        assertThat(children.get(0).size()).isEqualTo(2);
        assertThat(children.get(1).isDirectory()).isTrue();

        assertThat(files.list(root + "/tree", 2))
                .extracting(FileInfo::path)
                .containsExactly(root + "/tree/b.txt", root + "/tree/inner", root + "/tree/inner/c.txt");
    }

    @Test
    void describesEntriesAndSeveralAtOnce() {
        files.write(root + "/x.txt", "xyz");
        files.createDirectory(root + "/d", Permission.mode(700));

        FileInfo file = files.info(root + "/x.txt");
        assertThat(file.path()).isEqualTo(root + "/x.txt");
        assertThat(file.size()).isEqualTo(3);
        assertThat(file.owner()).isNotEmpty();
        assertThat(file.modifiedAt()).isNotNull();

        Map<String, FileInfo> both = files.info(List.of(root + "/x.txt", root + "/d"));
        assertThat(both).containsOnlyKeys(root + "/x.txt", root + "/d");
        assertThat(both.get(root + "/d").mode()).isEqualTo(700);
    }

    @Test
    void movesDeletesAndChangesPermissions() {
        files.write(root + "/old.txt", "content");
        files.createDirectory(root + "/dest");

        files.move(root + "/old.txt", root + "/dest/new.txt");
        assertThat(files.exists(root + "/old.txt")).isFalse();
        assertThat(files.read(root + "/dest/new.txt")).isEqualTo("content");

        files.setPermission(root + "/dest/new.txt", Permission.mode(640));
        assertThat(files.info(root + "/dest/new.txt").mode()).isEqualTo(640);

        files.delete(root + "/dest/new.txt");
        assertThat(files.exists(root + "/dest/new.txt")).isFalse();
        files.deleteDirectories(root + "/dest");
        assertThat(files.exists(root + "/dest")).isFalse();
    }

    @Test
    void searchesByGlobAndReplacesText() {
        files.write(root + "/src/app.py", "HOST = 'localhost'\nPORT = 'localhost:8080'\n");
        files.write(root + "/src/lib/util.py", "pass\n");
        files.write(root + "/README.md", "localhost\n");

        assertThat(files.search(root, "*.py"))
                .extracting(FileInfo::path)
                .containsExactlyInAnyOrder(root + "/src/app.py", root + "/src/lib/util.py");

        assertThat(files.replace(root + "/src/app.py", "localhost", "0.0.0.0")).hasValue(2);
        assertThat(files.read(root + "/src/app.py")).isEqualTo("HOST = '0.0.0.0'\nPORT = '0.0.0.0:8080'\n");
        assertThat(files.replace(root + "/README.md", "absent", "x")).hasValue(0);
    }

    @Test
    void aMissingFileIsNotFound() {
        SandboxApiException e =
                catchThrowableOfType(SandboxApiException.class, () -> files.read(root + "/nothing-here"));

        assertThat(e.status()).isEqualTo(404);
        assertThat(e.code()).isEqualTo("FILE_NOT_FOUND");
        assertThat(files.exists(root + "/nothing-here")).isFalse();
    }
}
