package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.moat.http.Json;
import dev.moat.protocol.FileInfo;
import dev.moat.protocol.FileMetadata;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.InputStreamRequestContent;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.io.ByteBufferPool;
import org.junit.jupiter.api.Assumptions;

/** The file and directory calls of the execd API over a real {@link ExecdClient}, as the tests make them. */
final class FilesClient {

    private final ExecdClient client;

    FilesClient(ExecdClient client) {
        this.client = client;
    }

    ExecdClient client() {
        return client;
    }

    /** Asserts an error answer: its status, its code, and a message that mentions what went wrong. */
    static void assertError(ExecdClient.Response response, int status, String code, String mentions) throws Exception {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.error().code()).isEqualTo(code);
        assertThat(response.error().message()).contains(mentions);
    }

    /** Skips a test that changes ownership, which only root may do. */
    static void assumeRoot() {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "changing a file's owner needs root");
    }

    /** {@code name=value&name=value…}, each value URL-encoded. */
    static String query(String name, Object... values) {
        StringBuilder query = new StringBuilder();
        for (Object value : values) {
            query.append(query.isEmpty() ? "" : "&")
                    .append(name)
                    .append('=')
                    .append(URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
        }
        return query.toString();
    }

    ExecdClient.Response upload(MultipartBody body) throws Exception {
        return client.send(client.request("POST", "/files/upload")
                .timeout(5, TimeUnit.MINUTES)
                .body(new InputStreamRequestContent(
                        body.contentType(), body.stream(), new ByteBufferPool.Sized(null, false, 64 * 1024))));
    }

    /** Uploads one file and expects success. */
    void write(Path path, String content) throws Exception {
        write(new FileMetadata(path.toString(), null, null, null), content);
    }

    void write(FileMetadata metadata, String content) throws Exception {
        ExecdClient.Response response = upload(new MultipartBody()
                .metadata(Json.mapper().writeValueAsString(metadata))
                .file(content)
                .close());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    ExecdClient.Response infoResponse(Object... paths) throws Exception {
        return client.get("/files/info?" + query("path", paths));
    }

    Map<String, FileInfo> info(Object... paths) throws Exception {
        ExecdClient.Response response = infoResponse(paths);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json(new TypeReference<Map<String, FileInfo>>() {});
    }

    FileInfo info(Path path) throws Exception {
        return info((Object) path).get(path.toString());
    }

    /** {@code &name=value}, or nothing when the value is null. */
    private static String optional(String name, Object value) {
        return value == null ? "" : "&" + query(name, value);
    }

    ExecdClient.Response listResponse(Object path, Object depth) throws Exception {
        return client.get("/directories/list?" + query("path", path) + optional("depth", depth));
    }

    List<FileInfo> list(Path path, Integer depth) throws Exception {
        ExecdClient.Response response = listResponse(path, depth);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json(new TypeReference<List<FileInfo>>() {});
    }

    ExecdClient.Response searchResponse(Path root, String pattern) throws Exception {
        return client.get("/files/search?" + query("path", root) + optional("pattern", pattern));
    }

    List<FileInfo> search(Path root, String pattern) throws Exception {
        ExecdClient.Response response = searchResponse(root, pattern);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json(new TypeReference<List<FileInfo>>() {});
    }

    ExecdClient.Response download(Object path, String range) throws Exception {
        var request = client.request("GET", "/files/download?" + query("path", path));
        if (range != null) {
            request.headers(h -> h.put("Range", range));
        }
        return client.send(request);
    }

    /** Streams a download into a SHA-256 digest, so that a large file never sits in the test's memory either. */
    String downloadSha256(Path path) throws Exception {
        InputStreamResponseListener listener = new InputStreamResponseListener();
        client.request("GET", "/files/download?" + query("path", path))
                .timeout(5, TimeUnit.MINUTES)
                .send(listener);
        Response response = listener.get(60, TimeUnit.SECONDS);
        assertThat(response.getStatus()).isEqualTo(200);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = listener.getInputStream()) {
            byte[] chunk = new byte[64 * 1024];
            int n;
            while ((n = in.read(chunk)) >= 0) {
                digest.update(chunk, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
