package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.http.Json;
import dev.moat.protocol.FileMetadata;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Large files stream through execd: its heap is capped below the size of the file it moves. */
class LargeFileTest {

    private static final int SIZE = 50 * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void a50MegabyteUploadAndDownloadRoundTripFitsIn32MegabytesOfHeap() throws Exception {
        Path source = dir.resolve("source.bin");
        String expected = writeRandom(source);
        Path target = dir.resolve("uploaded/target.bin");

        try (ExecdProcess execd = ExecdProcess.start(List.of("-Xmx32m"), Map.of())) {
            FilesClient files = new FilesClient(execd.client());

            ExecdClient.Response response = files.upload(new MultipartBody()
                    .metadata(Json.mapper().writeValueAsString(new FileMetadata(target.toString(), null, null, 644)))
                    .file(source)
                    .close());

            assertThat(response.status()).as(response.text()).isEqualTo(200);
            assertThat(Files.size(target)).isEqualTo(SIZE);
            assertThat(sha256(target)).isEqualTo(expected);
            assertThat(files.downloadSha256(target)).isEqualTo(expected);
            assertThat(execd.log()).doesNotContain("OutOfMemoryError");
        }
    }

    /** Random content (so that no layer could compress it away), written and hashed in one pass. */
    private static String writeRandom(Path path) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        Random random = new Random(42);
        byte[] chunk = new byte[1024 * 1024];
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(path), digest)) {
            for (int written = 0; written < SIZE; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String sha256(Path path) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(path)) {
            byte[] chunk = new byte[1024 * 1024];
            int n;
            while ((n = in.read(chunk)) >= 0) {
                digest.update(chunk, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
