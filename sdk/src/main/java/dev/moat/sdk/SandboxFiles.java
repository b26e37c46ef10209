package dev.moat.sdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The sandbox's file system: read and write text, bytes and streams (large files are streamed both ways, never held
 * in memory), list, inspect, move, delete, create directories, search, replace text and change permissions. Paths
 * are the sandbox's. Obtained from {@link Sandbox#files()} or {@link ExecdClient#files()}; safe for concurrent use.
 */
public final class SandboxFiles {

    private final HttpTransport execd;

    SandboxFiles(HttpTransport execd) {
        this.execd = execd;
    }

    /** A file's content as UTF-8 text. */
    public String read(String path) {
        return new String(readBytes(path), StandardCharsets.UTF_8);
    }

    public byte[] readBytes(String path) {
        try (InputStream in = open(path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw HttpTransport.failure(e, "GET " + execd.base() + "/files/download (" + path + ")");
        }
    }

    /**
     * A file's content as a stream, read from the sandbox as you read it. Close it when done; closing early stops the
     * download. Reads fail with an {@link IOException} when the sandbox stops sending for the stream idle timeout.
     */
    public InputStream open(String path) {
        return download(path, Map.of());
    }

    /** Part of a file's content (an HTTP range request). */
    public InputStream open(String path, ByteRange range) {
        return download(path, Map.of("Range", range.header()));
    }

    /** Copies a file from the sandbox to a local file (replacing it) and returns the number of bytes. */
    public long download(String path, Path localFile) {
        try (InputStream in = open(path)) {
            return Files.copy(in, localFile, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw HttpTransport.failure(e, "downloading " + path + " to " + localFile);
        }
    }

    /** Copies a file from the sandbox into a stream (left open) and returns the number of bytes. */
    public long download(String path, OutputStream target) {
        try (InputStream in = open(path)) {
            return in.transferTo(target);
        } catch (IOException e) {
            throw HttpTransport.failure(e, "downloading " + path);
        }
    }

    private InputStream download(String path, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Accept", "application/octet-stream");
        return execd.send(
                        "GET",
                        "/files/download" + new Urls.Query().add("path", Commands.nonBlank(path, "path")),
                        HttpTransport.Body.none(),
                        all,
                        true)
                .body();
    }

    /** Writes text as UTF-8, replacing the file and creating parent directories. */
    public void write(String path, String text) {
        write(List.of(FileUpload.of(path, text)));
    }

    public void write(String path, byte[] content) {
        write(List.of(FileUpload.of(path, content)));
    }

    /** Writes the rest of {@code content} (then closes it), streaming it without holding it in memory. */
    public void write(String path, InputStream content) {
        write(List.of(FileUpload.of(path, content)));
    }

    /** Copies a local file into the sandbox, streaming it. */
    public void upload(Path localFile, String path) {
        write(List.of(FileUpload.of(path, localFile)));
    }

    /** Writes several files in one request. */
    public void write(List<FileUpload> uploads) {
        MultipartBody body = new MultipartBody(uploads);
        HttpTransport.Response response = execd.send(
                "POST",
                "/files/upload",
                new HttpTransport.Body(body.publisher(), Optional.of(body.contentType())),
                Map.of("Accept", "application/json"),
                false);
        HttpTransport.readText(response, HttpTransport.MAX_JSON_BYTES);
    }

    /** The entries under a directory, {@code depth} levels down (1: its children only), in lexical order. */
    public List<FileInfo> list(String directory, int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be at least 1, got " + depth);
        }
        return execd.json(
                "GET",
                "/directories/list"
                        + new Urls.Query()
                                .add("path", Commands.nonBlank(directory, "directory"))
                                .add("depth", depth),
                null,
                json -> JsonObject.list(json, "the directory listing", FileInfo::read));
    }

    /** The children of a directory. */
    public List<FileInfo> list(String directory) {
        return list(directory, 1);
    }

    /** Metadata of one entry; fails with {@code FILE_NOT_FOUND} when there is none. */
    public FileInfo info(String path) {
        Map<String, FileInfo> infos = info(List.of(path));
        FileInfo info = infos.get(path);
        if (info == null) {
            // servers key the answer by the path as given; one that normalises it still answers with one entry
            if (infos.size() == 1) {
                return infos.values().iterator().next();
            }
            throw SandboxApiException.local(
                    SandboxApiException.UNEXPECTED_RESPONSE, "the file info answer has no entry for " + path, null);
        }
        return info;
    }

    /** Metadata of several entries, by path. */
    public Map<String, FileInfo> info(Collection<String> paths) {
        if (paths.isEmpty()) {
            return Map.of();
        }
        paths.forEach(path -> Commands.nonBlank(path, "path"));
        return execd.json("GET", "/files/info" + new Urls.Query().addEach("path", paths), null, json -> {
            Map<String, FileInfo> infos = new LinkedHashMap<>();
            JsonObject.of(json, "the file info answer")
                    .members()
                    .forEach((path, info) -> infos.put(path, FileInfo.read(info)));
            return Collections.unmodifiableMap(infos);
        });
    }

    /** Whether an entry exists at {@code path}. */
    public boolean exists(String path) {
        try {
            info(path);
            return true;
        } catch (SandboxApiException e) {
            if (e.status() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** Moves or renames an entry; the target's directory must exist. */
    public void move(String source, String target) {
        execd.call("POST", "/files/mv", moveRequest(source, target));
    }

    /** The body of {@code POST /files/mv}. */
    static List<Map<String, Object>> moveRequest(String source, String target) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("src", Commands.nonBlank(source, "source"));
        item.put("dest", Commands.nonBlank(target, "target"));
        return List.of(item);
    }

    /** Deletes files (not directories: see {@link #deleteDirectories}). */
    public void delete(String... paths) {
        execd.call("DELETE", "/files" + pathQuery(paths), null);
    }

    /** Deletes directories with everything in them. */
    public void deleteDirectories(String... paths) {
        execd.call("DELETE", "/directories" + pathQuery(paths), null);
    }

    /** Creates a directory and its missing parents ({@code mkdir -p}) with mode 755. */
    public void createDirectory(String path) {
        createDirectory(path, Permission.mode(755));
    }

    public void createDirectory(String path, Permission permission) {
        execd.call("POST", "/directories", permissionMap(path, permission));
    }

    /** Changes an entry's mode (and owner or group, when the permission has them). */
    public void setPermission(String path, Permission permission) {
        execd.call("POST", "/files/permissions", permissionMap(path, permission));
    }

    /** The files under {@code directory} (at any depth) whose path matches a glob such as {@code *.py}. */
    public List<FileInfo> search(String directory, String glob) {
        return execd.json(
                "GET",
                "/files/search"
                        + new Urls.Query()
                                .add("path", Commands.nonBlank(directory, "directory"))
                                .add("pattern", Commands.nonBlank(glob, "glob")),
                null,
                json -> JsonObject.list(json, "the search answer", FileInfo::read));
    }

    /**
     * Replaces every occurrence of {@code oldText} in a file by {@code newText}, keeping its permissions. Returns how
     * many were replaced, when the server reports counts.
     */
    public OptionalInt replace(String path, String oldText, String newText) {
        HttpTransport.Response response = execd.send(
                "POST",
                "/files/replace?verbose=true",
                HttpTransport.Body.json(replaceRequest(path, oldText, newText)),
                Map.of("Accept", "application/json"),
                false);
        String text = HttpTransport.readText(response, HttpTransport.MAX_JSON_BYTES);
        if (text.isBlank()) {
            return OptionalInt.empty(); // a server without per-file counts answers with an empty body
        }
        try {
            return JsonObject.of(Json.parse(text), "the replace answer")
                    .optionalObject(path)
                    .map(result -> result.optionalInt("replacedCount"))
                    .orElse(OptionalInt.empty());
        } catch (IllegalArgumentException e) {
            throw HttpTransport.unexpected(response, e);
        }
    }

    /** The body of {@code POST /files/replace}. */
    static Map<String, Object> replaceRequest(String path, String oldText, String newText) {
        if (Objects.requireNonNull(oldText, "oldText").isEmpty()) {
            throw new IllegalArgumentException("oldText must not be empty");
        }
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("old", oldText);
        item.put("new", Objects.requireNonNull(newText, "newText"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(Commands.nonBlank(path, "path"), item);
        return body;
    }

    private static String pathQuery(String... paths) {
        if (paths.length == 0) {
            throw new IllegalArgumentException("name at least one path");
        }
        for (String path : paths) {
            Commands.nonBlank(path, "path");
        }
        return new Urls.Query().addEach("path", List.of(paths)).toString();
    }

    static Map<String, Object> permissionMap(String path, Permission permission) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(
                Commands.nonBlank(path, "path"),
                Objects.requireNonNull(permission, "permission").toJson());
        return body;
    }
}
