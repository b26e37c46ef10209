package dev.moat.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upload body, read back by Jetty's multipart parser: the one execd uses to read it. */
class MultipartBodyTest {

    @TempDir
    Path temp;

    @Test
    void writesMetadataAndFilePairsInOrder() throws Exception {
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        MultipartBody body = new MultipartBody(List.of(
                FileUpload.of("/workspace/hello.txt", "héllo\r\n--not a boundary\r\n"),
                FileUpload.of("/workspace/bin/all-bytes", binary)
                        .withPermission(Permission.mode(640).withOwner("nobody").withGroup("nogroup"))));

        MultiPartFormData.Parts parts = parse(body, body.open());

        assertThat(parts.size()).isEqualTo(4);
        assertThat(parts.get(0).getName()).isEqualTo("metadata");
        assertThat(parts.get(0).getHeaders().get("Content-Type")).isEqualTo("application/json");
        assertThat(Json.parse(parts.get(0).getContentAsString(StandardCharsets.UTF_8)))
                .isEqualTo(java.util.Map.of("path", "/workspace/hello.txt"));
        assertThat(parts.get(1).getName()).isEqualTo("file");
        assertThat(parts.get(1).getFileName()).isEqualTo("hello.txt");
        assertThat(parts.get(1).getHeaders().get("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(parts.get(1).getContentAsString(StandardCharsets.UTF_8)).isEqualTo("héllo\r\n--not a boundary\r\n");
        assertThat(Json.parse(parts.get(2).getContentAsString(StandardCharsets.UTF_8)))
                .isEqualTo(java.util.Map.of(
                        "path", "/workspace/bin/all-bytes", "owner", "nobody", "group", "nogroup", "mode", 640L));
        assertThat(parts.get(3).getFileName()).isEqualTo("all-bytes");
        assertThat(content(parts.get(3))).isEqualTo(binary);
    }

    @Test
    void knowsItsLengthWhenEveryContentDoes() throws Exception {
        Path local = temp.resolve("data.bin");
        java.nio.file.Files.write(local, randomBytes(70_000, 3));
        MultipartBody body = new MultipartBody(
                List.of(FileUpload.of("/a", "x"), FileUpload.of("/b", local), FileUpload.of("/c", new byte[0])));

        byte[] bytes;
        try (InputStream in = body.open()) {
            bytes = in.readAllBytes();
        }
        assertThat(body.length()).hasValue(bytes.length);
        assertThat(body.publisher().contentLength()).isEqualTo(bytes.length);
        assertThat(content(parse(body, new ByteArrayInputStream(bytes)).get(3))).isEqualTo(randomBytes(70_000, 3));
    }

    @Test
    void aStreamedUploadHasNoLengthAndIsSentChunked() {
        MultipartBody body = new MultipartBody(List.of(FileUpload.of("/s", new ByteArrayInputStream(new byte[10]))));
        assertThat(body.length()).isEmpty();
        assertThat(body.publisher().contentLength()).isEqualTo(-1);
    }

    @Test
    void streamsLargeContentWithoutHoldingItAndClosesTheSource() throws Exception {
        long size = 48L * 1024 * 1024;
        AtomicBoolean closed = new AtomicBoolean();
        MultipartBody body =
                new MultipartBody(List.of(FileUpload.of("/workspace/big.bin", new GeneratedStream(size, closed))));

        // Jetty spools parts beyond 1 MiB to files, so neither side ever holds the 48 MiB
        MultiPartFormData.Parts parts = parse(body, body.open());

        assertThat(closed).isTrue();
        assertThat(parts.get(1).getLength()).isEqualTo(size);
        assertThat(sha256(java.nio.file.Files.newInputStream(saved(parts.get(1)))))
                .isEqualTo(sha256(new GeneratedStream(size, new AtomicBoolean())));
    }

    @Test
    void escapesQuotesAndLineBreaksInFileNames() throws Exception {
        MultipartBody body = new MultipartBody(List.of(FileUpload.of("/w/we\"ird\nname.txt", "x")));
        assertThat(new String(body.open().readAllBytes(), StandardCharsets.UTF_8))
                .contains("filename=\"we%22ird%0Aname.txt\"");
    }

    @Test
    void usesAFreshRandomBoundaryForEveryBody() {
        List<FileUpload> uploads = List.of(FileUpload.of("/a", "x"));
        assertThat(new MultipartBody(uploads).boundary()).isNotEqualTo(new MultipartBody(uploads).boundary());
    }

    @Test
    void refusesAnEmptyUpload() {
        assertThatThrownBy(() -> new MultipartBody(List.of())).hasMessageContaining("at least one file");
    }

    private MultiPartFormData.Parts parse(MultipartBody body, InputStream in) throws Exception {
        MultiPartFormData.Parser parser = new MultiPartFormData.Parser(body.boundary());
        parser.setFilesDirectory(temp);
        parser.setMaxMemoryFileSize(1024 * 1024);
        parser.setMaxLength(-1);
        parser.setMaxFileSize(-1);
        CompletableFuture<MultiPartFormData.Parts> parts = new CompletableFuture<>();
        parser.parse(Content.Source.from(in), Promise.Invocable.toPromise(parts));
        return parts.get(60, TimeUnit.SECONDS);
    }

    private byte[] content(MultiPart.Part part) throws IOException {
        return java.nio.file.Files.readAllBytes(saved(part));
    }

    /** The part's content, as Jetty hands it to an application: written to a file. */
    private Path saved(MultiPart.Part part) throws IOException {
        Path file = java.nio.file.Files.createTempFile(temp, "part-", ".bin");
        java.nio.file.Files.delete(file);
        part.writeTo(file);
        return file;
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha256(InputStream stream) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = stream) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Deterministic bytes generated on the fly, so a large upload never exists in memory. */
    static final class GeneratedStream extends InputStream {
        private final long size;
        private final AtomicBoolean closed;
        private long position;

        GeneratedStream(long size, AtomicBoolean closed) {
            this.size = size;
            this.closed = closed;
        }

        @Override
        public int read() {
            if (position >= size) {
                return -1;
            }
            int value = (int) ((position * 31 + (position >> 11)) & 0xff);
            position++;
            return value;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(length, size - position);
            for (int i = 0; i < n; i++) {
                long p = position + i;
                target[offset + i] = (byte) (p * 31 + (p >> 11));
            }
            position += n;
            return n;
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }
}
