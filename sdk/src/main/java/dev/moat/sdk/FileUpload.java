package dev.moat.sdk;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One file to write into a sandbox: its path there, where its bytes come from (a string, a byte array, a local file
 * or a stream, read only while uploading), and optionally its mode and owner. Parent directories are created.
 */
public final class FileUpload {

    /** Opens the content; called once, when the upload reaches this file. */
    interface Source {
        InputStream open() throws IOException;
    }

    private final String path;
    private final Source source;
    private final OptionalLong length;
    private final Permission permission;

    private FileUpload(String path, Source source, OptionalLong length, Permission permission) {
        this.path = Commands.nonBlank(path, "path");
        this.source = source;
        this.length = length;
        this.permission = permission;
    }

    /** Text, written as UTF-8. */
    public static FileUpload of(String path, String text) {
        return of(path, Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
    }

    public static FileUpload of(String path, byte[] content) {
        byte[] bytes = Objects.requireNonNull(content, "content").clone();
        return new FileUpload(path, () -> new ByteArrayInputStream(bytes), OptionalLong.of(bytes.length), null);
    }

    /** The content of a local file, streamed while uploading. */
    public static FileUpload of(String path, Path localFile) {
        Objects.requireNonNull(localFile, "localFile");
        long size;
        try {
            size = Files.size(localFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + localFile + ": " + e.getMessage(), e);
        }
        return new FileUpload(path, () -> Files.newInputStream(localFile), OptionalLong.of(size), null);
    }

    /** The rest of a stream, read while uploading and then closed. Such an upload cannot be retried. */
    public static FileUpload of(String path, InputStream content) {
        Objects.requireNonNull(content, "content");
        return new FileUpload(path, () -> content, OptionalLong.empty(), null);
    }

    /** The same upload with this mode (and owner/group, if the permission has them). */
    public FileUpload withPermission(Permission permission) {
        return new FileUpload(path, source, length, Objects.requireNonNull(permission, "permission"));
    }

    public String path() {
        return path;
    }

    Source source() {
        return source;
    }

    /** The content's length, when known before reading it. */
    OptionalLong length() {
        return length;
    }

    /** The {@code metadata} part: {@code {"path", "owner"?, "group"?, "mode"?}}. */
    Map<String, Object> metadata() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("path", path);
        if (permission != null) {
            json.putAll(permission.toJson());
        }
        return json;
    }

    /** The file name the {@code file} part carries: the last segment of the path. */
    String fileName() {
        String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        String name = trimmed.substring(trimmed.lastIndexOf('/') + 1);
        return name.isEmpty() ? "file" : name;
    }
}
