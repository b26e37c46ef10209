package dev.moat.execd;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.moat.http.Exchange;
import dev.moat.http.Router;
import dev.moat.protocol.FileInfo;
import dev.moat.protocol.Permission;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /directories/list}, {@code POST /directories} (mkdir -p) and {@code DELETE /directories} (rm -rf).
 *
 * <ul>
 *   <li>List: {@code depth} levels (default 1; 0 gives an empty list), the root itself not included, entries in
 *       lexical order with each directory's descendants right after it, symbolic links reported as {@code symlink}
 *       and never followed. A root that is a symbolic link or not a directory is refused with 400.
 *   <li>Create: every missing directory on the way is created and gets the requested mode (755 when none is given),
 *       owner and group; a directory that already exists is left as it is. Something else than a directory in the
 *       way is a 409 conflict.
 *   <li>Delete: removes whatever is at each path, recursively, without following symbolic links; a missing path is
 *       not an error; {@code /} is refused.
 * </ul>
 */
final class DirectoryRoutes {

    private final PathResolver paths;

    DirectoryRoutes(PathResolver paths) {
        this.paths = paths;
    }

    void register(Router.Builder routes) {
        routes.get("/directories/list", this::list);
        routes.post("/directories", this::create);
        routes.delete("/directories", this::delete);
    }

    private void list(Exchange exchange) throws IOException {
        Path root = paths.resolve(exchange.requireQuery("path"));
        int depth = depth(exchange);
        FileInfos infos = new FileInfos();
        FileInfo rootInfo = infos.describe(root);
        if (rootInfo.type().equals("symlink")) {
            throw ExecdError.INVALID_FILE.exception(
                    "%s is a symbolic link; listings never follow links, so give the directory it points to%s",
                    root, linkTarget(root));
        }
        if (!rootInfo.type().equals("directory")) {
            throw ExecdError.INVALID_FILE.exception("%s is a %s, not a directory", root, rootInfo.type());
        }
        List<Path> entries = depth == 0 ? List.of() : TreeWalk.rootEntries(root);
        FileInfoArray out = FileInfoArray.start(exchange);
        TreeWalk.walk(entries, depth, (path, relative, level) -> {
            FileInfo info = infos.read(path);
            out.add(info);
            return info.type().equals("directory");
        });
        out.finish();
    }

    private static String linkTarget(Path link) {
        try {
            return " (" + Files.readSymbolicLink(link) + ")";
        } catch (IOException e) {
            return "";
        }
    }

    private static int depth(Exchange exchange) {
        long depth = exchange.queryLong("depth").orElse(1L);
        if (depth < 0) {
            throw ExecdError.MISSING_QUERY.exception(
                    "query parameter 'depth' must be 0 or more (1 lists the immediate children), got %d", depth);
        }
        return (int) Math.min(depth, Integer.MAX_VALUE);
    }

    private void create(Exchange exchange) throws IOException {
        Map<String, Permission> body = exchange.readJson(new TypeReference<LinkedHashMap<String, Permission>>() {});
        Map<Path, PermissionChange> directories = new LinkedHashMap<>();
        body.forEach((raw, permission) -> {
            Permission given = permission == null ? new Permission(null, null, null) : permission;
            PermissionChange change = PermissionChange.of(
                            given.mode(), given.owner(), given.group(), ExecdError.INVALID_REQUEST_BODY, raw)
                    .withModeIfAbsent(OctalMode.DEFAULT);
            directories.put(paths.resolve(raw), change);
        });
        for (Map.Entry<Path, PermissionChange> entry : directories.entrySet()) {
            MakeDirectories.make(entry.getKey(), entry.getValue());
        }
        exchange.sendEmpty(200);
    }

    private void delete(Exchange exchange) throws IOException {
        List<Path> targets = new ArrayList<>();
        for (String raw : exchange.requireQueryAll("path")) {
            Path path = paths.resolve(raw);
            if (path.getParent() == null) {
                throw ExecdError.INVALID_FILE.exception("refusing to delete the root directory /");
            }
            targets.add(path);
        }
        for (Path path : targets) {
            try {
                RecursiveDelete.delete(path);
            } catch (IOException e) {
                throw FileFailures.of(e, path);
            }
        }
        exchange.sendEmpty(200);
    }
}
