package dev.moat.execd;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.moat.http.Exchange;
import dev.moat.http.Router;
import dev.moat.protocol.FileInfo;
import dev.moat.protocol.Permission;
import dev.moat.protocol.RenameFileItem;
import dev.moat.protocol.ReplaceFileContentItem;
import dev.moat.protocol.ReplaceFileContentResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code /files} routes of the execd API. Each route checks all of its input before it changes anything, then
 * works through the entries in order and stops at the first failure (the entries before it stay done).
 *
 * <ul>
 *   <li>{@code GET /files/info}: path → FileInfo, keyed by the path as given; a symbolic link is described, not
 *       followed; a missing path is 404.
 *   <li>{@code DELETE /files}: removes files and symbolic links; a missing path is not an error (as in OpenSandbox),
 *       a directory is refused with 400 (use {@code DELETE /directories}).
 *   <li>{@code POST /files/permissions}: path → {mode, owner, group}; absent fields (and mode 0) leave that part as
 *       it is; links are followed, as chmod and chown do.
 *   <li>{@code POST /files/mv}: see {@link FileMover}.
 *   <li>{@code POST /files/replace}: path → {old, new}, every occurrence, streamed through a staged copy so that mode,
 *       owner and group stay and a file of any size fits; a file without an occurrence is not rewritten.
 * </ul>
 */
final class FileRoutes {

    private final PathResolver paths;

    FileRoutes(PathResolver paths) {
        this.paths = paths;
    }

    void register(Router.Builder routes) {
        routes.get("/files/info", this::info);
        routes.delete("/files", this::delete);
        routes.post("/files/permissions", this::permissions);
        routes.post("/files/mv", this::move);
        routes.post("/files/replace", this::replace);
        routes.get("/files/search", new GlobSearch(paths)::search);
        routes.post("/files/upload", new MultipartUpload(paths)::upload);
        routes.get("/files/download", new RangeDownload(paths)::download);
    }

    private void info(Exchange exchange) throws IOException {
        FileInfos infos = new FileInfos();
        Map<String, FileInfo> answer = new LinkedHashMap<>();
        for (String raw : exchange.requireQueryAll("path")) {
            answer.put(raw, infos.describe(paths.resolve(raw)));
        }
        exchange.sendJson(200, answer);
    }

    private void delete(Exchange exchange) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String raw : exchange.requireQueryAll("path")) {
            Path path = paths.resolve(raw);
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                throw ExecdError.INVALID_FILE.exception(
                        "%s is a directory; delete directories with DELETE /directories", path);
            }
            files.add(path);
        }
        for (Path file : files) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw FileFailures.of(e, file);
            }
        }
        exchange.sendEmpty(200);
    }

    private void permissions(Exchange exchange) throws IOException {
        Map<String, Permission> body = exchange.readJson(new TypeReference<LinkedHashMap<String, Permission>>() {});
        Map<Path, PermissionChange> changes = new LinkedHashMap<>();
        body.forEach((raw, permission) -> {
            if (permission == null) {
                throw ExecdError.INVALID_REQUEST_BODY.exception(
                        "the permission of %s is null; give an object such as {\"mode\": 644}", raw);
            }
            changes.put(
                    paths.resolve(raw),
                    PermissionChange.of(
                            permission.mode(),
                            permission.owner(),
                            permission.group(),
                            ExecdError.INVALID_REQUEST_BODY,
                            raw));
        });
        for (Map.Entry<Path, PermissionChange> change : changes.entrySet()) {
            Path path = change.getKey();
            try {
                if (!Files.exists(path)) {
                    throw new NoSuchFileException(path.toString());
                }
                change.getValue().applyTo(path);
            } catch (IOException e) {
                throw FileFailures.of(e, path);
            }
        }
        exchange.sendEmpty(200);
    }

    private record Move(Path source, Path target) {}

    private void move(Exchange exchange) throws IOException {
        List<RenameFileItem> items = exchange.readJson(new TypeReference<List<RenameFileItem>>() {});
        List<Move> moves = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            RenameFileItem item = items.get(i);
            if (item == null || blank(item.src()) || blank(item.dest())) {
                throw ExecdError.INVALID_REQUEST_BODY.exception(
                        "move [%d] needs both 'src' and 'dest', got %s", i, item);
            }
            moves.add(new Move(paths.resolve(item.src()), paths.resolve(item.dest())));
        }
        for (Move move : moves) {
            FileMover.move(move.source(), move.target());
        }
        exchange.sendEmpty(200);
    }

    private void replace(Exchange exchange) throws IOException {
        boolean verbose = exchange.queryBoolean("verbose").orElse(false);
        Map<String, ReplaceFileContentItem> body =
                exchange.readJson(new TypeReference<LinkedHashMap<String, ReplaceFileContentItem>>() {});
        Map<String, StreamingReplace> replacements = new LinkedHashMap<>();
        body.forEach((raw, item) -> {
            if (item == null || item.oldText() == null || item.oldText().isEmpty()) {
                throw ExecdError.INVALID_REQUEST_BODY.exception("'old' of %s must not be empty", raw);
            }
            if (item.newText() == null) {
                throw ExecdError.INVALID_REQUEST_BODY.exception(
                        "'new' of %s is missing; give \"\" to remove the text", raw);
            }
            paths.resolve(raw);
            replacements.put(
                    raw,
                    new StreamingReplace(
                            item.oldText().getBytes(StandardCharsets.UTF_8),
                            item.newText().getBytes(StandardCharsets.UTF_8)));
        });
        Map<String, ReplaceFileContentResult> counts = new LinkedHashMap<>();
        for (Map.Entry<String, StreamingReplace> entry : replacements.entrySet()) {
            long count = replaceIn(paths.resolve(entry.getKey()), entry.getValue());
            counts.put(entry.getKey(), new ReplaceFileContentResult((int) Math.min(count, Integer.MAX_VALUE)));
        }
        if (verbose) {
            exchange.sendJson(200, counts);
        } else {
            exchange.sendEmpty(200);
        }
    }

    private static long replaceIn(Path path, StreamingReplace replacement) {
        try {
            // through a link, the file it points to changes; the link stays
            Path file = path.toRealPath();
            if (!Files.isRegularFile(file)) {
                throw ExecdError.INVALID_FILE.exception(
                        "%s is not a regular file; only file content can be replaced", path);
            }
            try (InputStream in = Files.newInputStream(file);
                    StagedFile staged = StagedFile.next(file)) {
                long count = replacement.copy(in, staged.output());
                if (count > 0) {
                    staged.commit(PermissionChange.NONE);
                }
                return count;
            }
        } catch (IOException e) {
            throw FileFailures.of(e, path);
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
