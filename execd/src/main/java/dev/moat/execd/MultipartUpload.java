package dev.moat.execd;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.moat.http.ApiException;
import dev.moat.http.Exchange;
import dev.moat.http.Json;
import dev.moat.protocol.FileMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /files/upload}: a multipart body of {@code metadata} parts (JSON {@link FileMetadata}) each followed by
 * its {@code file} part. Each file streams from the socket into a {@link StagedFile} next to its target; only when the
 * whole body has been read are the files put in place, so an upload that fails or is cut off — a bad part, a client
 * that goes away — leaves nothing behind, not even the parent directories it created.
 *
 * <p>A file part takes the oldest metadata not yet used, so clients that send all metadata parts first are served
 * too. Parts with other names are skipped. Missing parents are created (mode 755); a target that exists is replaced
 * and keeps its mode, owner and group unless the metadata gives others; a new file gets mode 755 (OpenSandbox's
 * default). A symbolic link as target is written through. A directory in the way is a 409 conflict.
 */
final class MultipartUpload {

    private static final int MAX_METADATA_BYTES = 64 * 1024;
    private static final int MAX_WAITING_METADATA = 10_000;
    private static final long MAX_DRAINED_BYTES = 64L * 1024 * 1024;

    private final PathResolver paths;

    MultipartUpload(PathResolver paths) {
        this.paths = paths;
    }

    private record Target(Path path, PermissionChange change) {}

    private record Staged(StagedFile file, PermissionChange change) {}

    void upload(Exchange exchange) throws IOException {
        InputStream body = exchange.body();
        try {
            receive(exchange, body);
        } catch (ApiException e) {
            drain(body);
            throw e;
        }
        exchange.sendEmpty(200);
    }

    /**
     * Reads what the client still sends after a refusal, so that it gets the answer instead of a connection reset
     * while it writes; past {@link #MAX_DRAINED_BYTES} the connection is closed instead.
     */
    private static void drain(InputStream body) {
        try {
            byte[] chunk = new byte[64 * 1024];
            long drained = 0;
            int n;
            while (drained < MAX_DRAINED_BYTES && (n = body.read(chunk)) >= 0) {
                drained += n;
            }
        } catch (IOException e) {
            // the client is gone: nobody is left to answer
        }
    }

    private void receive(Exchange exchange, InputStream body) throws IOException {
        MultipartReader reader = new MultipartReader(body, MultipartReader.boundary(exchange.contentType()));
        Deque<Target> waiting = new ArrayDeque<>();
        List<Staged> staged = new ArrayList<>();
        List<Path> createdDirectories = new ArrayList<>();
        try {
            Optional<MultipartReader.Part> next;
            while ((next = reader.next()).isPresent()) {
                MultipartReader.Part part = next.get();
                switch (part.name()) {
                    case "metadata" -> {
                        if (waiting.size() == MAX_WAITING_METADATA) {
                            throw ExecdError.INVALID_FILE_METADATA.exception(
                                    "more than %d metadata parts wait for their file part", MAX_WAITING_METADATA);
                        }
                        waiting.add(target(part.body()));
                    }
                    case "file" -> {
                        Target target = waiting.poll();
                        if (target == null) {
                            throw ExecdError.INVALID_FILE_METADATA.exception(
                                    "a file part (%s) comes without a metadata part before it; send a metadata part "
                                            + "with the target path before each file part",
                                    part.headers().getOrDefault("content-disposition", "?"));
                        }
                        staged.add(stage(target, part.body(), createdDirectories));
                    }
                    default -> {
                        // another form field: not ours, skipped
                    }
                }
            }
            if (!waiting.isEmpty()) {
                throw ExecdError.INVALID_FILE.exception(
                        "the metadata for %s has no file part after it",
                        waiting.peek().path());
            }
            if (staged.isEmpty()) {
                throw ExecdError.INVALID_FILE.exception(
                        "the upload holds no file: send a metadata part followed by a file part for each file");
            }
            for (Staged file : staged) {
                commit(file);
            }
        } catch (IOException | RuntimeException e) {
            discard(staged, createdDirectories, e);
            throw e;
        }
    }

    private Target target(InputStream body) throws IOException {
        byte[] json = body.readNBytes(MAX_METADATA_BYTES + 1);
        if (json.length > MAX_METADATA_BYTES) {
            throw ExecdError.INVALID_FILE_METADATA.exception(
                    "a metadata part is larger than %d bytes", MAX_METADATA_BYTES);
        }
        FileMetadata metadata;
        try {
            metadata = Json.mapper().readValue(json, FileMetadata.class);
        } catch (JsonProcessingException e) {
            throw ExecdError.INVALID_FILE_METADATA.exception(
                    "a metadata part is not a JSON FileMetadata: %s", Json.describe(e));
        }
        if (metadata == null || metadata.path() == null || metadata.path().isBlank()) {
            throw ExecdError.INVALID_FILE_METADATA.exception(
                    "a metadata part has no path; give the target, e.g. {\"path\": \"/workspace/a.txt\"}");
        }
        Path path = paths.resolve(metadata.path());
        PermissionChange change = PermissionChange.of(
                metadata.mode(), metadata.owner(), metadata.group(), ExecdError.INVALID_FILE_METADATA, metadata.path());
        return new Target(path, change);
    }

    private static Staged stage(Target target, InputStream content, List<Path> createdDirectories) throws IOException {
        Path path = writablePath(target.path());
        createdDirectories.addAll(
                MakeDirectories.make(path.getParent(), PermissionChange.NONE.withModeIfAbsent(OctalMode.DEFAULT)));
        StagedFile file;
        try {
            file = StagedFile.next(path);
        } catch (IOException e) {
            throw FileFailures.of(e, path);
        }
        Staged staged = new Staged(file, target.change());
        boolean written = false;
        try {
            copy(content, file.output(), path);
            file.seal();
            written = true;
        } finally {
            if (!written) {
                file.close();
            }
        }
        return staged;
    }

    /** Where the content of {@code path} goes: through a link to the file it points to; never onto a directory. */
    private static Path writablePath(Path path) {
        Path target = path;
        if (Files.isSymbolicLink(path)) {
            try {
                target = path.toRealPath();
            } catch (NoSuchFileException e) {
                throw ExecdError.CONFLICT.exception("%s is a symbolic link to nothing; delete it first", path);
            } catch (IOException e) {
                throw FileFailures.of(e, path);
            }
        }
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw ExecdError.CONFLICT.exception("%s is a directory; a file cannot be written there", path);
        }
        return target;
    }

    /** Client read failures pass as they are (the client is gone); write failures are the file system's. */
    private static void copy(InputStream content, OutputStream out, Path path) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        int n;
        while ((n = content.read(chunk)) >= 0) {
            try {
                out.write(chunk, 0, n);
            } catch (IOException e) {
                throw FileFailures.of(e, path);
            }
        }
    }

    private static void commit(Staged staged) {
        try {
            staged.file().commit(staged.change());
        } catch (IOException e) {
            throw FileFailures.of(e, staged.file().target());
        }
    }

    /** Removes what a failed upload left: staged files and the directories it created, when they are empty. */
    private static void discard(List<Staged> staged, List<Path> createdDirectories, Exception failure) {
        for (Staged file : staged) {
            try {
                file.file().close();
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
        for (Path directory : createdDirectories.reversed()) {
            try {
                Files.deleteIfExists(directory);
            } catch (DirectoryNotEmptyException e) {
                // holds files put in place before the failure, or someone else's: kept
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
    }
}
