package dev.moat.sdk;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;

/**
 * The {@code multipart/form-data} body of {@code POST /files/upload}: for each file a {@code metadata} part (JSON) and
 * then a {@code file} part with its bytes. Contents are streamed from their sources while the request is sent, never
 * held in memory; when every length is known up front the body gets a {@code Content-Length}, otherwise it is sent
 * chunked.
 */
final class MultipartBody {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] CRLF = {'\r', '\n'};

    private final String boundary;
    private final List<FileUpload> uploads;

    MultipartBody(List<FileUpload> uploads) {
        if (uploads.isEmpty()) {
            throw new IllegalArgumentException("an upload needs at least one file");
        }
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        this.boundary = "moat-" + HexFormat.of().formatHex(random);
        this.uploads = List.copyOf(uploads);
    }

    String boundary() {
        return boundary;
    }

    String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    /** The body's length in bytes, when every content's length is known. */
    OptionalLong length() {
        long total = 0;
        for (FileUpload upload : uploads) {
            if (upload.length().isEmpty()) {
                return OptionalLong.empty();
            }
            total += metadataPart(upload).length
                    + fileHead(upload).length
                    + upload.length().getAsLong()
                    + 2;
        }
        return OptionalLong.of(total + end().length);
    }

    HttpRequest.BodyPublisher publisher() {
        HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(this::open);
        OptionalLong length = length();
        return length.isPresent() ? HttpRequest.BodyPublishers.fromPublisher(stream, length.getAsLong()) : stream;
    }

    /** The whole body as a stream that opens each file's content only when it gets there, and closes it after. */
    InputStream open() {
        List<FileUpload.Source> pieces = new ArrayList<>();
        for (FileUpload upload : uploads) {
            byte[] metadata = metadataPart(upload);
            byte[] head = fileHead(upload);
            pieces.add(() -> new ByteArrayInputStream(metadata));
            pieces.add(() -> new ByteArrayInputStream(head));
            pieces.add(upload.source());
            pieces.add(() -> new ByteArrayInputStream(CRLF));
        }
        byte[] end = end();
        pieces.add(() -> new ByteArrayInputStream(end));
        Iterator<FileUpload.Source> next = pieces.iterator();
        return new SequenceInputStream(new Enumeration<InputStream>() {
            @Override
            public boolean hasMoreElements() {
                return next.hasNext();
            }

            @Override
            public InputStream nextElement() {
                return opened(next.next());
            }
        });
    }

    /** A source's stream; one that cannot be opened fails the upload on its first read, with the reason. */
    private static InputStream opened(FileUpload.Source source) {
        try {
            return source.open();
        } catch (IOException e) {
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    throw e;
                }
            };
        }
    }

    private byte[] metadataPart(FileUpload upload) {
        return ("--" + boundary + "\r\n"
                        + "Content-Disposition: form-data; name=\"metadata\"; filename=\"metadata\"\r\n"
                        + "Content-Type: application/json\r\n\r\n"
                        + Json.write(upload.metadata()) + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private byte[] fileHead(FileUpload upload) {
        return ("--" + boundary + "\r\n"
                        + "Content-Disposition: form-data; name=\"file\"; filename=\"" + quoted(upload.fileName())
                        + "\"\r\n"
                        + "Content-Type: application/octet-stream\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private byte[] end() {
        return ("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A file name inside a quoted header parameter, escaped the way browsers do it (HTML's form encoding). */
    static String quoted(String name) {
        return name.replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
    }
}
