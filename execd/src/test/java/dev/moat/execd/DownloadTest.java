package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** GET /files/download, with and without Range, and its line mode. */
class DownloadTest {

    @RegisterExtension
    static final ExecdExtension execd = new ExecdExtension();

    @TempDir
    Path dir;

    private Path file;
    private byte[] content;

    @BeforeEach
    void writeFile() throws Exception {
        content = new byte[200_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31 + 7);
        }
        file = Files.write(dir.resolve("data.bin"), content);
    }

    private void assertPartial(String range, int first, int last) throws Exception {
        ExecdClient.Response response = execd.files().download(file, range);

        assertThat(response.status()).as(range).isEqualTo(206);
        assertThat(response.header("Content-Range")).isEqualTo("bytes " + first + "-" + last + "/" + content.length);
        assertThat(response.header("Content-Length")).isEqualTo(Integer.toString(last - first + 1));
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(content, first, last + 1));
    }

    private void assertError(String range, int status, String code) throws Exception {
        ExecdClient.Response response = execd.files().download(file, range);
        assertThat(response.status()).as(range).isEqualTo(status);
        assertThat(response.error().code()).isEqualTo(code);
    }

    @Test
    void downloadSendsTheWholeFileAsAnAttachment() throws Exception {
        ExecdClient.Response response = execd.files().download(file, null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(content);
        assertThat(response.header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(response.header("Content-Length")).isEqualTo(Integer.toString(content.length));
        assertThat(response.header("Content-Disposition")).isEqualTo("attachment; filename=\"data.bin\"");
        assertThat(response.header("Accept-Ranges")).isEqualTo("bytes");
        assertThat(response.header("Last-Modified")).endsWith("GMT");
    }

    @Test
    void rangesOfTheStartTheMiddleTheEndAndASuffixAre206() throws Exception {
        assertPartial("bytes=0-99", 0, 99);
        assertPartial("bytes=70000-131071", 70_000, 131_071);
        assertPartial("bytes=199990-", 199_990, 199_999);
        assertPartial("bytes=-10", 199_990, 199_999);
        assertPartial("bytes=150000-999999999999999999999", 150_000, 199_999);
        assertPartial("bytes=-500000", 0, 199_999);
    }

    @Test
    void aRangeBeyondTheFileIs416WithItsSize() throws Exception {
        for (String range : new String[] {"bytes=200000-", "bytes=300000-300010", "bytes=-0"}) {
            ExecdClient.Response response = execd.files().download(file, range);
            assertThat(response.status()).as(range).isEqualTo(416);
            assertThat(response.error().code()).isEqualTo("RANGE_NOT_SATISFIABLE");
            assertThat(response.header("Content-Range")).isEqualTo("bytes */200000");
        }
    }

    @Test
    void anyRangeOfAnEmptyFileIs416() throws Exception {
        file = Files.write(dir.resolve("empty"), new byte[0]);

        assertError("bytes=0-", 416, "RANGE_NOT_SATISFIABLE");
        assertThat(execd.files().download(file, null).body()).isEmpty();
    }

    @Test
    void aMalformedBytesRangeIs400() throws Exception {
        for (String range :
                new String[] {"bytes=abc", "bytes=5-2", "bytes=", "bytes=1-2-3", "bytes 0-1", "bytes=--1"}) {
            assertError(range, 400, "INVALID_RANGE");
        }
    }

    @Test
    void anotherUnitOrSeveralRangesAreIgnored() throws Exception {
        for (String range : new String[] {"items=0-5", "bytes=0-1,5-6"}) {
            ExecdClient.Response response = execd.files().download(file, range);
            assertThat(response.status()).as(range).isEqualTo(200);
            assertThat(response.body()).isEqualTo(content);
        }
    }

    @Test
    void aDirectoryIs400AndAMissingFileIs404() throws Exception {
        ExecdClient.Response directory = execd.files().download(dir, null);
        assertThat(directory.status()).isEqualTo(400);
        assertThat(directory.error().code()).isEqualTo("INVALID_FILE");
        assertThat(directory.error().message()).contains("directory");

        ExecdClient.Response missing = execd.files().download(dir.resolve("missing"), null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.error().code()).isEqualTo("FILE_NOT_FOUND");
        assertThat(missing.error().message()).contains(dir.resolve("missing").toString());
    }

    @Test
    void aFifoIsRefusedInsteadOfBlocking() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();

        ExecdClient.Response response = execd.files().download(fifo, null);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.error().message()).contains("not a regular file");
    }

    @Test
    void downloadFollowsSymbolicLinks() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("link"), file);

        assertThat(execd.files().download(link, null).body()).isEqualTo(content);
    }

    @Test
    void namesOutsideAsciiGetAnEncodedFilename() {
        assertThat(RangeDownload.contentDisposition("a \"q\" b.txt"))
                .isEqualTo("attachment; filename=\"a \\\"q\\\" b.txt\"");
        assertThat(RangeDownload.contentDisposition("日本 1.txt"))
                .isEqualTo("attachment; filename=\"__ 1.txt\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%201.txt");
        assertThat(RangeDownload.contentDisposition("line\nbreak"))
                .isEqualTo("attachment; filename=\"line_break\"; filename*=UTF-8''line%0Abreak");
    }

    @Test
    void offsetAndLimitSelectLines() throws Exception {
        Path text = Files.writeString(dir.resolve("lines.txt"), "one\ntwo\nthree\nfour", StandardCharsets.UTF_8);

        ExecdClient.Response middle =
                execd.client().get("/files/download?" + FilesClient.query("path", text) + "&offset=2&limit=2");
        assertThat(middle.status()).isEqualTo(200);
        assertThat(middle.header("Content-Type")).startsWith("text/plain");
        assertThat(middle.text()).isEqualTo("two\nthree\n");

        ExecdClient.Response tail =
                execd.client().get("/files/download?" + FilesClient.query("path", text) + "&offset=3");
        assertThat(tail.text()).isEqualTo("three\nfour\n");

        ExecdClient.Response bad =
                execd.client().get("/files/download?" + FilesClient.query("path", text) + "&offset=0&limit=1");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.error().message()).contains("offset");
    }
}
