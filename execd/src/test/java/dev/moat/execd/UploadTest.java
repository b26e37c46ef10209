package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moat.http.Json;
import dev.moat.protocol.FileMetadata;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** POST /files/upload. */
class UploadTest {

    @RegisterExtension
    static final ExecdExtension execd = new ExecdExtension();

    @TempDir
    Path dir;

    private static String metadata(Path path, String owner, String group, Integer mode) throws Exception {
        return Json.mapper().writeValueAsString(new FileMetadata(path.toString(), owner, group, mode));
    }

    private static String metadata(Path path) throws Exception {
        return metadata(path, null, null, null);
    }

    private static void assertError(ExecdClient.Response response, String code, String mentions) throws Exception {
        FilesClient.assertError(response, 400, code, mentions);
    }

    /** Everything below {@code directory}, to show that a failed upload left nothing. */
    private static List<Path> contents(Path directory) throws Exception {
        try (Stream<Path> paths = Files.walk(directory)) {
            return paths.filter(path -> !path.equals(directory)).toList();
        }
    }

    @Test
    void uploadWritesTheFileWithItsModeAndCreatesParents() throws Exception {
        Path target = dir.resolve("new/parents/script.sh");

        ExecdClient.Response response = execd.files()
                .upload(new MultipartBody()
                        .metadata(metadata(target, null, null, 750))
                        .file("#!/bin/sh\necho hi\n")
                        .close());

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(target).hasContent("#!/bin/sh\necho hi\n");
        assertThat(execd.files().info(target).mode()).isEqualTo(750);
        assertThat(execd.files().info(dir.resolve("new")).mode()).isEqualTo(755);
        assertThat(contents(target.getParent())).containsExactly(target);
    }

    @Test
    void aNewFileWithoutModeGets755AsInOpenSandbox() throws Exception {
        Path target = dir.resolve("plain.txt");

        execd.files().write(target, "x");

        assertThat(execd.files().info(target).mode()).isEqualTo(755);
    }

    @Test
    void severalFilesInOneUpload() throws Exception {
        Path a = dir.resolve("a.txt");
        Path b = dir.resolve("sub/b.bin");
        Path empty = dir.resolve("empty");
        byte[] binary = {0, 1, 2, '\r', '\n', '-', '-', (byte) 0xff};

        ExecdClient.Response response = execd.files()
                .upload(new MultipartBody()
                        .metadata(metadata(a))
                        .file("alpha")
                        .metadata(metadata(b))
                        .file(binary)
                        .metadata(metadata(empty))
                        .file("")
                        .close());

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(a).hasContent("alpha");
        assertThat(b).hasBinaryContent(binary);
        assertThat(empty).isEmptyFile();
    }

    @Test
    void metadataPartsMayAllComeBeforeTheFileParts() throws Exception {
        Path a = dir.resolve("first");
        Path b = dir.resolve("second");

        ExecdClient.Response response = execd.files()
                .upload(new MultipartBody()
                        .metadata(metadata(a))
                        .metadata(metadata(b))
                        .file("1")
                        .file("2")
                        .close());

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(a).hasContent("1");
        assertThat(b).hasContent("2");
    }

    @Test
    void contentThatLooksLikeABoundaryIsKeptIntact() throws Exception {
        Path target = dir.resolve("tricky");
        String content = "\r\n--" + MultipartBody.BOUNDARY.substring(0, 10) + "\r\n--\r\n--" + MultipartBody.BOUNDARY
                + "x is not the boundary without its CRLF\r";

        execd.files().write(target, content);

        assertThat(target).hasContent(content);
    }

    @Test
    void aPlainMetadataFieldAPreambleAndAQuotedBoundaryAreAccepted() throws Exception {
        Path target = dir.resolve("plain-field");
        byte[] body = ("preamble to be ignored\r\n--" + MultipartBody.BOUNDARY + "\r\n"
                        + "Content-Disposition: form-data; name=\"metadata\"\r\n\r\n"
                        + metadata(target) + "\r\n--" + MultipartBody.BOUNDARY + "   \r\n"
                        + "content-disposition: form-data; name=file; filename=\"a;b.txt\"\r\n\r\n"
                        + "content\r\n--" + MultipartBody.BOUNDARY + "--\r\nepilogue")
                .getBytes(StandardCharsets.UTF_8);

        ExecdClient.Response response = execd.client()
                .send(execd.client()
                        .request("POST", "/files/upload")
                        .body(new org.eclipse.jetty.client.BytesRequestContent(
                                "multipart/form-data; charset=utf-8; boundary=\"" + MultipartBody.BOUNDARY + "\"",
                                body)));

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(target).hasContent("content");
    }

    @Test
    void uploadOverAnExistingFileKeepsItsModeAndOwner() throws Exception {
        Path target = Files.writeString(dir.resolve("existing"), "old");
        Files.setAttribute(target, "unix:mode", 0600);
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            Files.setAttribute(target, "unix:uid", 4321);
        }

        execd.files().write(target, "new");

        assertThat(target).hasContent("new");
        assertThat(execd.files().info(target).mode()).isEqualTo(600);
        if (root) {
            assertThat(execd.files().info(target).owner()).isEqualTo("4321");
        }
    }

    @Test
    void uploadSetsOwnerAndGroupByNameOrId() throws Exception {
        FilesClient.assumeRoot();
        Path byName = dir.resolve("by-name");
        Path byId = dir.resolve("by-id");

        ExecdClient.Response response = execd.files()
                .upload(new MultipartBody()
                        .metadata(metadata(byName, "nobody", "nogroup", 640))
                        .file("n")
                        .metadata(metadata(byId, "2345", "2346", 4750))
                        .file("i")
                        .close());

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(execd.files().info(byName)).satisfies(info -> {
            assertThat(info.owner()).isEqualTo("nobody");
            assertThat(info.group()).isEqualTo("nogroup");
            assertThat(info.mode()).isEqualTo(640);
        });
        assertThat(execd.files().info(byId)).satisfies(info -> {
            assertThat(info.owner()).isEqualTo("2345");
            assertThat(info.group()).isEqualTo("2346");
            assertThat(info.mode()).as("setuid survives the change of owner").isEqualTo(4750);
        });
    }

    @Test
    void uploadThroughASymbolicLinkWritesTheFileItPointsTo() throws Exception {
        Path real = Files.writeString(dir.resolve("real"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link"), real.getFileName());

        execd.files().write(link, "new");

        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(real).hasContent("new");
    }

    @Test
    void relativeTargetsResolveAgainstTheWorkingDirectoryOfExecd() throws Exception {
        execd.files().write(new FileMetadata("uploads/relative.txt", null, null, null), "r");

        assertThat(execd.directory().resolve("uploads/relative.txt")).hasContent("r");
    }

    @Test
    void uploadOntoADirectoryIs409AndLeavesNothing() throws Exception {
        Path directory = Files.createDirectory(dir.resolve("taken"));
        Path first = dir.resolve("new/first");

        ExecdClient.Response response = execd.files()
                .upload(new MultipartBody()
                        .metadata(metadata(first))
                        .file("1")
                        .metadata(metadata(directory))
                        .file("2")
                        .close());

        assertThat(response.status()).isEqualTo(409);
        assertThat(response.error().code()).isEqualTo("CONFLICT");
        assertThat(contents(dir)).as("not the first file, nor its new parent").containsExactly(directory);
    }

    @Test
    void anUploadLargerThanTheFreeSpaceIs507AndLeavesNothing() throws Exception {
        Path small = Files.createDirectory(dir.resolve("small"));
        TestMounts.tmpfs(small, "1m");
        try {
            ExecdClient.Response response = execd.files()
                    .upload(new MultipartBody()
                            .metadata(metadata(small.resolve("big.bin")))
                            .file(new byte[3 * 1024 * 1024])
                            .close());

            assertThat(response.status()).as(response.text()).isEqualTo(507);
            assertThat(response.error().code()).isEqualTo("INSUFFICIENT_STORAGE");
            assertThat(response.error().message()).contains("No space left");
            assertThat(contents(small)).isEmpty();
        } finally {
            TestMounts.unmount(small);
        }
    }

    @Test
    void uploadOntoABindMountedFileRewritesItInPlace() throws Exception {
        Path source = Files.writeString(dir.resolve("hosts.source"), "old hosts");
        Path mounted = Files.writeString(dir.resolve("hosts"), "");
        TestMounts.bind(source, mounted);
        try {
            execd.files().write(mounted, "new hosts");

            assertThat(mounted).hasContent("new hosts");
            assertThat(source).as("the same file, seen through the mount").hasContent("new hosts");
        } finally {
            TestMounts.unmount(mounted);
        }
        assertThat(contents(dir)).containsExactlyInAnyOrder(source, mounted);
    }

    @Test
    void aFilePartWithoutMetadataIs400() throws Exception {
        ExecdClient.Response response =
                execd.files().upload(new MultipartBody().file("orphan").close());

        assertError(response, "INVALID_FILE_METADATA", "metadata");
    }

    @Test
    void metadataWithoutAPathIs400() throws Exception {
        assertError(
                execd.files()
                        .upload(new MultipartBody()
                                .metadata("{\"mode\": 644}")
                                .file("x")
                                .close()),
                "INVALID_FILE_METADATA",
                "no path");
        assertError(
                execd.files()
                        .upload(new MultipartBody()
                                .metadata("{\"path\": \"\"}")
                                .file("x")
                                .close()),
                "INVALID_FILE_METADATA",
                "no path");
    }

    @Test
    void metadataThatIsNotJsonOrHasABadModeOrOwnerIs400() throws Exception {
        Path target = dir.resolve("never");

        assertError(
                execd.files()
                        .upload(new MultipartBody().metadata("{path:").file("x").close()),
                "INVALID_FILE_METADATA",
                "JSON");
        assertError(
                execd.files()
                        .upload(new MultipartBody()
                                .metadata(metadata(target, null, null, 999))
                                .file("x")
                                .close()),
                "INVALID_FILE_METADATA",
                "999");
        assertError(
                execd.files()
                        .upload(new MultipartBody()
                                .metadata(metadata(target, "no-such-user-xyz", null, null))
                                .file("x")
                                .close()),
                "INVALID_FILE_METADATA",
                "no-such-user-xyz");
        assertThat(target).doesNotExist();
    }

    @Test
    void metadataWithoutItsFileIs400AndLeavesNothing() throws Exception {
        Path first = dir.resolve("first");

        ExecdClient.Response response = execd.files()
                .upload(new MultipartBody()
                        .metadata(metadata(first))
                        .file("1")
                        .metadata(metadata(dir.resolve("second")))
                        .close());

        assertError(response, "INVALID_FILE", "second");
        assertThat(contents(dir)).isEmpty();
    }

    @Test
    void anUploadWithoutFilesIs400() throws Exception {
        assertError(execd.files().upload(new MultipartBody().close()), "INVALID_FILE", "no file");
    }

    @Test
    void aBodyThatIsNotMultipartIs400() throws Exception {
        assertError(execd.client().postRaw("/files/upload", "{}"), "INVALID_FILE", "multipart/form-data");
        ExecdClient.Response noBoundary = execd.client()
                .send(execd.client()
                        .request("POST", "/files/upload")
                        .body(new org.eclipse.jetty.client.BytesRequestContent("multipart/form-data", new byte[] {1})));
        assertError(noBoundary, "INVALID_FILE", "boundary");
    }

    @Test
    void aTruncatedBodyIs400AndLeavesNothing() throws Exception {
        Path target = dir.resolve("sub/truncated");

        ExecdClient.Response response = execd.files()
                .upload(new MultipartBody()
                        .metadata(metadata(target))
                        .raw("--" + MultipartBody.BOUNDARY
                                + "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n")
                        .raw("the body stops here"));

        assertError(response, "INVALID_FILE", "closing boundary");
        assertThat(contents(dir)).isEmpty();
    }

    @Test
    void partHeadersWithoutEndAre400() throws Exception {
        ExecdClient.Response response = execd.files()
                .upload(new MultipartBody()
                        .raw("--" + MultipartBody.BOUNDARY
                                + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n")
                        .raw("X: " + "y".repeat(20_000)));

        assertError(response, "INVALID_FILE", "headers");
    }

    @Test
    void aPartWithoutANameIs400() throws Exception {
        ExecdClient.Response response = execd.files()
                .upload(new MultipartBody()
                        .part("attachment", "text/plain", () -> new ByteArrayInputStream(new byte[0]))
                        .close());

        assertError(response, "INVALID_FILE", "Content-Disposition");
    }

    @Test
    void aClientThatDisconnectsMidUploadLeavesNothingBehind() throws Exception {
        Path target = dir.resolve("sub/partial.bin");
        byte[] head = ("--" + MultipartBody.BOUNDARY + "\r\n"
                        + "Content-Disposition: form-data; name=\"metadata\"; filename=\"metadata\"\r\n\r\n"
                        + metadata(target) + "\r\n--" + MultipartBody.BOUNDARY + "\r\n"
                        + "Content-Disposition: form-data; name=\"file\"; filename=\"partial.bin\"\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(execd.socket()));
            OutputStream out = Channels.newOutputStream(channel);
            out.write(("POST /files/upload HTTP/1.1\r\nHost: localhost\r\n"
                            + "Content-Type: multipart/form-data; boundary=" + MultipartBody.BOUNDARY + "\r\n"
                            + "Content-Length: 100000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(head);
            out.write(new byte[1024 * 1024]);
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(target.getParent()));
        }

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(contents(dir)).isEmpty());
        assertThat(execd.client().get("/ping").status()).isEqualTo(200);
    }
}
