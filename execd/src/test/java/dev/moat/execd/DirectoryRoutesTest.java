package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.protocol.FileInfo;
import dev.moat.protocol.Permission;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** GET /directories/list, POST /directories and DELETE /directories. */
class DirectoryRoutesTest {

    @RegisterExtension
    static final ExecdExtension execd = new ExecdExtension();

    @TempDir
    Path dir;

    /** dir/{b.txt, a/{z, y/{deep}}, link → a, c/} */
    private void tree() throws Exception {
        Files.writeString(dir.resolve("b.txt"), "b");
        Files.createDirectories(dir.resolve("a/y"));
        Files.writeString(dir.resolve("a/z"), "z");
        Files.writeString(dir.resolve("a/y/deep"), "deep");
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("a"));
        Files.createDirectory(dir.resolve("c"));
    }

    private List<String> relativePaths(List<FileInfo> infos) {
        return infos.stream()
                .map(info -> dir.relativize(Path.of(info.path())).toString())
                .toList();
    }

    @Test
    void listGivesImmediateChildrenInLexicalOrderByDefault() throws Exception {
        tree();

        List<FileInfo> entries = execd.files().list(dir, null);

        assertThat(relativePaths(entries)).containsExactly("a", "b.txt", "c", "link");
        assertThat(entries).extracting(FileInfo::type).containsExactly("directory", "file", "directory", "symlink");
        assertThat(entries.get(1).size()).isEqualTo(1);
    }

    @Test
    void listWithDepthPutsDescendantsRightAfterTheirParentAndNeverFollowsLinks() throws Exception {
        tree();

        assertThat(relativePaths(execd.files().list(dir, 2))).containsExactly("a", "a/y", "a/z", "b.txt", "c", "link");
        assertThat(relativePaths(execd.files().list(dir, 10)))
                .containsExactly("a", "a/y", "a/y/deep", "a/z", "b.txt", "c", "link");
    }

    @Test
    void namesThatAreNotValidUtf8AreListedAndSearchedWithoutFailing() throws Exception {
        Process touch = new ProcessBuilder("sh", "-c", "touch \"$(printf 'bad\\377name')\"")
                .directory(dir.toFile())
                .start();
        assertThat(touch.waitFor()).isZero();

        List<FileInfo> listed = execd.files().list(dir, 1);
        List<FileInfo> found = execd.files().search(dir, "bad*");

        assertThat(listed).singleElement().satisfies(info -> {
            assertThat(info.type()).isEqualTo("file");
            assertThat(info.path()).startsWith(dir + "/bad").endsWith("name");
        });
        assertThat(found).hasSize(1);
    }

    @Test
    void listWithDepthZeroIsEmpty() throws Exception {
        tree();

        assertThat(execd.files().list(dir, 0)).isEmpty();
    }

    @Test
    void listOfALinkIs400AndOfAFileIs400() throws Exception {
        tree();

        ExecdClient.Response link = execd.files().listResponse(dir.resolve("link"), null);
        assertThat(link.status()).isEqualTo(400);
        assertThat(link.error().code()).isEqualTo("INVALID_FILE");
        assertThat(link.error().message())
                .contains("symbolic link")
                .contains(dir.resolve("a").toString());

        ExecdClient.Response file = execd.files().listResponse(dir.resolve("b.txt"), null);
        assertThat(file.status()).isEqualTo(400);
        assertThat(file.error().message()).contains("not a directory");
    }

    @Test
    void listOfAMissingDirectoryIs404() throws Exception {
        ExecdClient.Response response = execd.files().listResponse(dir.resolve("missing"), null);

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.error().code()).isEqualTo("FILE_NOT_FOUND");
        assertThat(response.error().message()).contains(dir.resolve("missing").toString());
    }

    @Test
    void listWithABadDepthIs400() throws Exception {
        for (String depth : new String[] {"-1", "two"}) {
            ExecdClient.Response response = execd.files().listResponse(dir, depth);
            assertThat(response.status()).as(depth).isEqualTo(400);
            assertThat(response.error().message()).contains("depth");
        }
    }

    @Test
    void listWithoutPathIs400() throws Exception {
        ExecdClient.Response response = execd.client().get("/directories/list");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.error().code()).isEqualTo("MISSING_QUERY");
    }

    @Test
    void mkdirCreatesParentsWithTheGivenMode() throws Exception {
        Path deep = dir.resolve("p/q/r");
        Path other = dir.resolve("other");

        ExecdClient.Response response = execd.client()
                .post(
                        "/directories",
                        Map.of(
                                deep.toString(),
                                new Permission(null, null, 700),
                                other.toString(),
                                new Permission(null, null, null)));

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(execd.files().info(deep).mode()).isEqualTo(700);
        assertThat(execd.files().info(dir.resolve("p")).mode())
                .as("parents created too")
                .isEqualTo(700);
        assertThat(execd.files().info(other).mode())
                .as("755 when no mode is given")
                .isEqualTo(755);
    }

    @Test
    void mkdirGivesNewDirectoriesTheRequestedOwner() throws Exception {
        FilesClient.assumeRoot();
        Path deep = dir.resolve("owned/inner");

        execd.client().post("/directories", Map.of(deep.toString(), new Permission("nobody", "nogroup", 755)));

        assertThat(execd.files().info(deep).owner()).isEqualTo("nobody");
        assertThat(execd.files().info(dir.resolve("owned")).group()).isEqualTo("nogroup");
        assertThat(execd.files().info(dir).owner())
                .as("an existing parent is left as it is")
                .isEqualTo("root");
    }

    @Test
    void mkdirOfAnExistingDirectorySucceedsAndLeavesItAsItIs() throws Exception {
        Path existing = Files.createDirectory(dir.resolve("existing"));
        Files.setAttribute(existing, "unix:mode", 0711);

        ExecdClient.Response response =
                execd.client().post("/directories", Map.of(existing.toString(), new Permission(null, null, 755)));

        assertThat(response.status()).isEqualTo(200);
        assertThat(execd.files().info(existing).mode()).isEqualTo(711);
    }

    @Test
    void mkdirOverAFileIs409() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "");

        for (Path target : List.of(file, file.resolve("below"))) {
            ExecdClient.Response response =
                    execd.client().post("/directories", Map.of(target.toString(), new Permission(null, null, 755)));
            assertThat(response.status()).as(target.toString()).isEqualTo(409);
            assertThat(response.error().code()).isEqualTo("CONFLICT");
            assertThat(response.error().message()).contains(file.toString());
        }
        assertThat(file).isRegularFile();
    }

    @Test
    void mkdirWithABadModeIs400AndCreatesNothing() throws Exception {
        Path target = dir.resolve("new");

        ExecdClient.Response response =
                execd.client().post("/directories", Map.of(target.toString(), new Permission(null, null, 789)));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.error().code()).isEqualTo("INVALID_REQUEST_BODY");
        assertThat(target).doesNotExist();
    }

    @Test
    void rmRfRemovesTreesFilesAndLinksButNotWhatLinksPointTo() throws Exception {
        tree();
        Path outside = Files.createDirectory(dir.resolve("c/outside"));
        Files.createSymbolicLink(dir.resolve("a/escape"), outside);

        ExecdClient.Response response = execd.client()
                .delete("/directories?" + FilesClient.query("path", dir.resolve("a"), dir.resolve("b.txt")));

        assertThat(response.status()).isEqualTo(200);
        assertThat(dir.resolve("a")).doesNotExist();
        assertThat(dir.resolve("b.txt")).doesNotExist();
        assertThat(outside).as("a link inside is removed, not followed").isDirectory();
    }

    @Test
    void rmRfOfAMissingDirectorySucceeds() throws Exception {
        ExecdClient.Response response =
                execd.client().delete("/directories?" + FilesClient.query("path", dir.resolve("never")));

        assertThat(response.status()).isEqualTo(200);
    }

    @Test
    void rmRfOfTheRootIsRefused() throws Exception {
        ExecdClient.Response response = execd.client().delete("/directories?" + FilesClient.query("path", "/"));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.error().code()).isEqualTo("INVALID_FILE");
    }
}
