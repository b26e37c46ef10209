package dev.moat.execd;

import dev.moat.http.Exchange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code GET /files/search?path=&pattern=}: every entry below the root that matches the {@link GlobPattern} (default
 * {@code **}), as FileInfo, in the order of a {@link TreeWalk}. As in OpenSandbox's execd, directories themselves are
 * not results and symbolic links are reported but not followed (a root that is a link to a directory is searched). The
 * answer is streamed while the tree is walked, so a huge tree costs time, not memory; there is no cap on the number of
 * results.
 */
final class GlobSearch {

    private final PathResolver paths;

    GlobSearch(PathResolver paths) {
        this.paths = paths;
    }

    void search(Exchange exchange) throws IOException {
        Path root = paths.resolve(exchange.requireQuery("path"));
        String pattern = exchange.query("pattern").filter(p -> !p.isBlank()).orElse("**");
        GlobPattern glob;
        try {
            glob = GlobPattern.compile(pattern);
        } catch (IllegalArgumentException e) {
            throw ExecdError.MISSING_QUERY.exception("pattern '%s' is not a valid glob: %s", pattern, e.getMessage());
        }
        if (!Files.isDirectory(root)) {
            if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
                throw ExecdError.FILE_NOT_FOUND.exception("search root %s does not exist", root);
            }
            throw ExecdError.INVALID_FILE.exception("search root %s is not a directory", root);
        }
        List<Path> entries = TreeWalk.rootEntries(root);
        FileInfos infos = new FileInfos();
        FileInfoArray out = FileInfoArray.start(exchange);
        TreeWalk.walk(entries, Integer.MAX_VALUE, (path, relative, level) -> {
            boolean directory = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
            if (!directory && glob.matches(relative)) {
                out.add(infos.read(path));
            }
            return directory;
        });
        out.finish();
    }
}
