package dev.moat.execd;

import static dev.moat.execd.FilesClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.moat.protocol.Permission;
import dev.moat.protocol.RenameFileItem;
import dev.moat.protocol.ReplaceFileContentItem;
import dev.moat.protocol.ReplaceFileContentResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** DELETE /files, POST /files/permissions, /files/mv and /files/replace. */
class FileChangesTest {

    @RegisterExtension
    static final ExecdExtension execd = new ExecdExtension();

    @TempDir
    Path dir;

    private static ExecdClient.Response post(String path, Object body) throws Exception {
        return execd.client().post(path, body);
    }

    // DELETE /files

    @Test
    void deleteRemovesSeveralFilesAndLinksButNotTheirTargets() throws Exception {
        Path a = Files.writeString(dir.resolve("a"), "a");
        Path b = Files.writeString(dir.resolve("b"), "b");
        Path target = Files.createDirectory(dir.resolve("target"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);

        ExecdClient.Response response = execd.client().delete("/files?" + FilesClient.query("path", a, b, link));

        assertThat(response.status()).isEqualTo(200);
        assertThat(a).doesNotExist();
        assertThat(b).doesNotExist();
        assertThat(link).doesNotExist();
        assertThat(target).isDirectory();
    }

    @Test
    void deletingAMissingFileSucceeds() throws Exception {
        ExecdClient.Response response =
                execd.client().delete("/files?" + FilesClient.query("path", dir.resolve("never-was")));

        assertThat(response.status()).isEqualTo(200);
    }

    @Test
    void deletingADirectoryWithTheFileRouteIs400AndDeletesNothing() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "");
        Path sub = Files.createDirectory(dir.resolve("sub"));

        ExecdClient.Response response = execd.client().delete("/files?" + FilesClient.query("path", file, sub));

        assertError(response, 400, "INVALID_FILE", sub.toString());
        assertThat(file).as("checked before anything is deleted").exists();
        assertThat(sub).isDirectory();
    }

    // POST /files/permissions

    @Test
    void permissionsChangeModeOfSeveralFiles() throws Exception {
        Path a = Files.writeString(dir.resolve("a.sh"), "");
        Path b = Files.writeString(dir.resolve("b.txt"), "");

        ExecdClient.Response response = post(
                "/files/permissions",
                ordered(a.toString(), new Permission(null, null, 755), b.toString(), new Permission(null, null, 600)));

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(a)))
                .isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(b)))
                .isEqualTo("rw-------");
        assertThat(execd.files().info(a).mode()).isEqualTo(755);
    }

    @Test
    void permissionsSetSpecialBits() throws Exception {
        Path shared = Files.createDirectory(dir.resolve("shared"));

        post("/files/permissions", Map.of(shared.toString(), new Permission(null, null, 1777)));

        assertThat(Files.getAttribute(shared, "unix:mode")).isEqualTo(0041777);
    }

    @Test
    void permissionsChangeOwnerAndGroupByName() throws Exception {
        FilesClient.assumeRoot();
        Path file = Files.writeString(dir.resolve("owned"), "");

        ExecdClient.Response response =
                post("/files/permissions", Map.of(file.toString(), new Permission("nobody", "nogroup", 640)));

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(Files.getOwner(file).getName()).isEqualTo("nobody");
        assertThat(execd.files().info(file)).satisfies(info -> {
            assertThat(info.owner()).isEqualTo("nobody");
            assertThat(info.group()).isEqualTo("nogroup");
            assertThat(info.mode()).isEqualTo(640);
        });
    }

    @Test
    void permissionsChangeOwnerAndGroupByNumericIdAndKeepTheModeWhenNoneIsGiven() throws Exception {
        FilesClient.assumeRoot();
        Path file = Files.writeString(dir.resolve("owned"), "");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

        ExecdClient.Response response =
                post("/files/permissions", Map.of(file.toString(), new Permission("4321", "4322", null)));

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(Files.getAttribute(file, "unix:uid")).isEqualTo(4321);
        assertThat(Files.getAttribute(file, "unix:gid")).isEqualTo(4322);
        assertThat(execd.files().info(file).mode()).isEqualTo(640);
    }

    @Test
    void permissionsWithAnUnknownOwnerAre400AndChangeNothing() throws Exception {
        Path a = Files.writeString(dir.resolve("a"), "");
        Path b = Files.writeString(dir.resolve("b"), "");
        Files.setPosixFilePermissions(a, PosixFilePermissions.fromString("rw-r--r--"));

        ExecdClient.Response response = post(
                "/files/permissions",
                ordered(
                        a.toString(), new Permission(null, null, 700),
                        b.toString(), new Permission("no-such-user-xyz", null, 700)));

        assertError(response, 400, "INVALID_REQUEST_BODY", "no-such-user-xyz");
        assertThat(execd.files().info(a).mode()).isEqualTo(644);
    }

    @Test
    void permissionsWithAModeThatIsNotOctalAre400() throws Exception {
        Path a = Files.writeString(dir.resolve("a"), "");

        for (int mode : new int[] {758, 98, 17777, -1}) {
            ExecdClient.Response response =
                    post("/files/permissions", Map.of(a.toString(), new Permission(null, null, mode)));
            assertError(response, 400, "INVALID_REQUEST_BODY", Integer.toString(mode));
        }
    }

    @Test
    void permissionsOfAMissingFileAre404() throws Exception {
        Path missing = dir.resolve("missing");

        ExecdClient.Response response =
                post("/files/permissions", Map.of(missing.toString(), new Permission(null, null, 644)));

        assertError(response, 404, "FILE_NOT_FOUND", missing.toString());
    }

    @Test
    void permissionsWithAMalformedBodyAre400() throws Exception {
        assertError(execd.client().postRaw("/files/permissions", "[1,2]"), 400, "INVALID_REQUEST_BODY", "");
        assertError(
                execd.client().postRaw("/files/permissions", "{\"/a\": {\"mode\": \"755\"}}"),
                400,
                "INVALID_REQUEST_BODY",
                "mode");
        assertError(execd.client().postRaw("/files/permissions", "{\"/a\": null}"), 400, "INVALID_REQUEST_BODY", "/a");
    }

    // POST /files/mv

    @Test
    void moveRenamesFilesAndDirectories() throws Exception {
        Path file = Files.writeString(dir.resolve("old.txt"), "content");
        Path tree = Files.createDirectories(dir.resolve("tree/inner"));
        Files.writeString(tree.resolve("leaf"), "leaf");
        Path archive = Files.createDirectory(dir.resolve("archive"));

        ExecdClient.Response response = post(
                "/files/mv",
                List.of(
                        new RenameFileItem(
                                file.toString(), dir.resolve("new.txt").toString()),
                        new RenameFileItem(
                                dir.resolve("tree").toString(),
                                archive.resolve("tree").toString())));

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(file).doesNotExist();
        assertThat(dir.resolve("new.txt")).hasContent("content");
        assertThat(archive.resolve("tree/inner/leaf")).hasContent("leaf");
        assertThat(dir.resolve("tree")).doesNotExist();
    }

    @Test
    void moveOntoAnExistingFileIs409AndKeepsBoth() throws Exception {
        Path source = Files.writeString(dir.resolve("source"), "source");
        Path target = Files.writeString(dir.resolve("target"), "target");

        ExecdClient.Response response =
                post("/files/mv", List.of(new RenameFileItem(source.toString(), target.toString())));

        assertError(response, 409, "CONFLICT", target.toString());
        assertThat(source).hasContent("source");
        assertThat(target).hasContent("target");
    }

    @Test
    void moveIntoADirectoryThatDoesNotExistIs404NamingIt() throws Exception {
        Path source = Files.writeString(dir.resolve("source"), "");
        Path missingDirectory = dir.resolve("no/such");

        ExecdClient.Response response = post(
                "/files/mv",
                List.of(new RenameFileItem(
                        source.toString(), missingDirectory.resolve("x").toString())));

        assertError(response, 404, "FILE_NOT_FOUND", missingDirectory.toString());
        assertThat(source).exists();
    }

    @Test
    void moveOfAMissingSourceIs404() throws Exception {
        Path missing = dir.resolve("missing");

        ExecdClient.Response response = post(
                "/files/mv",
                List.of(new RenameFileItem(missing.toString(), dir.resolve("x").toString())));

        assertError(response, 404, "FILE_NOT_FOUND", missing.toString());
    }

    @Test
    void moveOfADirectoryIntoItselfIs409() throws Exception {
        Path tree = Files.createDirectory(dir.resolve("tree"));

        ExecdClient.Response response = post(
                "/files/mv",
                List.of(new RenameFileItem(
                        tree.toString(), tree.resolve("inside").toString())));

        assertError(response, 409, "CONFLICT", "into itself");
    }

    @Test
    void moveOfADirectoryToAnotherFileSystemCopiesAndRemovesIt() throws Exception {
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(
                Files.isWritable(shm) && !Files.getFileStore(shm).equals(Files.getFileStore(dir)),
                "needs /dev/shm on another file system than " + dir);
        Path tree = Files.createDirectories(dir.resolve("tree/inner"));
        Files.writeString(tree.resolve("leaf"), "leaf");
        Files.createSymbolicLink(tree.resolve("link"), Path.of("leaf"));
        Path target = shm.resolve("moat-move-test-" + ProcessHandle.current().pid());
        try {
            ExecdClient.Response response = post(
                    "/files/mv", List.of(new RenameFileItem(dir.resolve("tree").toString(), target.toString())));

            assertThat(response.status()).as(response.text()).isEqualTo(200);
            assertThat(target.resolve("inner/leaf")).hasContent("leaf");
            assertThat(Files.isSymbolicLink(target.resolve("inner/link"))).isTrue();
            assertThat(dir.resolve("tree")).doesNotExist();
        } finally {
            TestFiles.deleteRecursively(target);
        }
    }

    @Test
    void moveWithoutSourceOrDestinationIs400() throws Exception {
        ExecdClient.Response response = execd.client().postRaw("/files/mv", "[{\"src\": \"/a\"}]");

        assertError(response, 400, "INVALID_REQUEST_BODY", "dest");
    }

    // POST /files/replace

    @Test
    void replaceChangesEveryOccurrenceAndVerboseCountsThem() throws Exception {
        Path config = Files.writeString(dir.resolve("config.yaml"), "host: localhost:8080\nalt: localhost:8080\n");
        Path app = Files.writeString(dir.resolve("app.py"), "DEBUG = True\n");

        ExecdClient.Response response = post(
                "/files/replace?verbose=true",
                ordered(
                        config.toString(), new ReplaceFileContentItem("localhost:8080", "0.0.0.0:9090"),
                        app.toString(), new ReplaceFileContentItem("nothing like this", "x")));

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(response.json(new TypeReference<Map<String, ReplaceFileContentResult>>() {}))
                .containsExactly(
                        Map.entry(config.toString(), new ReplaceFileContentResult(2)),
                        Map.entry(app.toString(), new ReplaceFileContentResult(0)));
        assertThat(config).hasContent("host: 0.0.0.0:9090\nalt: 0.0.0.0:9090\n");
        assertThat(app).hasContent("DEBUG = True\n");
    }

    @Test
    void replaceWithoutVerboseAnswersAnEmptyBody() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "aaa");

        ExecdClient.Response response =
                post("/files/replace", Map.of(file.toString(), new ReplaceFileContentItem("a", "bb")));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(file).hasContent("bbbbbb");
    }

    @Test
    void replaceIsLeftToRightWithoutOverlapsOnMultibyteText() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "ababab aaa ünï ünï", StandardCharsets.UTF_8);

        post("/files/replace", Map.of(file.toString(), new ReplaceFileContentItem("aba", "X")));
        post("/files/replace", Map.of(file.toString(), new ReplaceFileContentItem("aa", "Y")));
        post("/files/replace", Map.of(file.toString(), new ReplaceFileContentItem("ünï", "ü")));

        assertThat(Files.readString(file)).isEqualTo("Xbab Ya ü ü");
    }

    @Test
    void replaceKeepsModeOwnerAndLinks() throws Exception {
        Path file = Files.writeString(dir.resolve("script.sh"), "echo old\n");
        Files.setAttribute(file, "unix:mode", 0750);
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            Files.setAttribute(file, "unix:uid", 4321);
        }
        Path link = Files.createSymbolicLink(dir.resolve("link.sh"), file.getFileName());

        ExecdClient.Response response =
                post("/files/replace", Map.of(link.toString(), new ReplaceFileContentItem("old", "new")));

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(file).hasContent("echo new\n");
        assertThat(Files.isSymbolicLink(link)).as("the link stays a link").isTrue();
        assertThat(Files.getAttribute(file, "unix:mode")).isEqualTo(0100750);
        if (root) {
            assertThat(Files.getAttribute(file, "unix:uid")).isEqualTo(4321);
        }
        assertThat(dir)
                .isDirectoryNotContaining(path -> path.getFileName().toString().contains(".moat-"));
    }

    @Test
    void replaceKeepsHardLinksTogether() throws Exception {
        Path file = Files.writeString(dir.resolve("one"), "old");
        Path other = Files.createLink(dir.resolve("two"), file);

        post("/files/replace", Map.of(file.toString(), new ReplaceFileContentItem("old", "new")));

        assertThat(other).hasContent("new");
        assertThat(Files.isSameFile(file, other)).isTrue();
    }

    @Test
    void replaceHandlesFilesLargerThanAnyBuffer() throws Exception {
        byte[] content = "0123456789abcdef".repeat(300_000).getBytes(StandardCharsets.US_ASCII);
        Path file = Files.write(dir.resolve("big"), content);

        ExecdClient.Response response =
                post("/files/replace?verbose=true", Map.of(file.toString(), new ReplaceFileContentItem("ef01", "-")));

        assertThat(response.json(new TypeReference<Map<String, ReplaceFileContentResult>>() {}))
                .containsEntry(file.toString(), new ReplaceFileContentResult(300_000 - 1));
        assertThat(Files.size(file)).isEqualTo(content.length - 3L * (300_000 - 1));
    }

    @Test
    void replaceWithAnEmptyOldTextIs400AndChangesNothing() throws Exception {
        Path a = Files.writeString(dir.resolve("a"), "abc");

        ExecdClient.Response response = post(
                "/files/replace",
                ordered(
                        a.toString(), new ReplaceFileContentItem("a", "z"),
                        dir.resolve("b").toString(), new ReplaceFileContentItem("", "x")));

        assertError(response, 400, "INVALID_REQUEST_BODY", "'old'");
        assertThat(a).hasContent("abc");
    }

    @Test
    void replaceInAMissingFileIs404AndInADirectoryIs400() throws Exception {
        Path missing = dir.resolve("missing");

        assertError(
                post("/files/replace", Map.of(missing.toString(), new ReplaceFileContentItem("a", "b"))),
                404,
                "FILE_NOT_FOUND",
                missing.toString());
        assertError(
                post("/files/replace", Map.of(dir.toString(), new ReplaceFileContentItem("a", "b"))),
                400,
                "INVALID_FILE",
                dir.toString());
    }

    @Test
    void changesOnAReadOnlyFileSystemAre403() throws Exception {
        Path readOnly = Files.createDirectory(dir.resolve("ro"));
        TestMounts.tmpfs(readOnly, "1m");
        try {
            Path file = Files.writeString(readOnly.resolve("file"), "abc");
            TestMounts.remountReadOnly(readOnly);

            assertError(
                    post("/files/replace", Map.of(file.toString(), new ReplaceFileContentItem("a", "b"))),
                    403,
                    "PERMISSION_DENIED",
                    readOnly.toString());
            assertError(
                    post("/files/permissions", Map.of(file.toString(), new Permission(null, null, 600))),
                    403,
                    "PERMISSION_DENIED",
                    "Read-only file system");
            assertError(
                    execd.client().delete("/files?" + FilesClient.query("path", file)),
                    403,
                    "PERMISSION_DENIED",
                    file.toString());
            assertThat(file).hasContent("abc");
        } finally {
            TestMounts.unmount(readOnly);
        }
    }

    /** A map that keeps the order its entries are given in, as JSON objects on the wire do. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
