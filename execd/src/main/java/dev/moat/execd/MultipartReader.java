package dev.moat.execd;

import dev.moat.http.ApiException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a {@code multipart/form-data} body (RFC 7578, RFC 2046 §5.1) part by part as it arrives: each part's headers,
 * then its content as a stream that ends at the next boundary. Only one fixed buffer is held, whatever the size of the
 * parts, so a large upload goes from the socket to its file without being gathered in memory. A body that breaks the
 * format (a missing boundary, headers without end, no closing delimiter) is refused with 400 INVALID_FILE.
 */
final class MultipartReader {

    private static final int BUFFER = 64 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    /** One part: its name from {@code Content-Disposition}, its headers (names in lower case) and its content. */
    record Part(String name, Map<String, String> headers, InputStream body) {}

    private enum State {
        PREAMBLE,
        CONTENT,
        AFTER_DELIMITER,
        DONE
    }

    private final InputStream in;
    private final byte[] delimiter;
    private final byte[] buffer = new byte[BUFFER];
    private int position;
    private int limit;
    private boolean eof;
    private State state = State.PREAMBLE;
    private int contentEnd; // the current part's bytes known so far end here, in the buffer
    private boolean delimiterAtContentEnd;
    private int parts;

    MultipartReader(InputStream in, String boundary) {
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The boundary of a {@code multipart/form-data} content type; anything else is refused. */
    static String boundary(Optional<String> contentType) {
        if (contentType.isEmpty()) {
            throw ExecdError.INVALID_FILE.exception(
                    "the upload has no Content-Type; send multipart/form-data with a metadata and a file part per file");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        String type = parameters(contentType.get(), parameters);
        if (!type.equalsIgnoreCase("multipart/form-data")) {
            throw ExecdError.INVALID_FILE.exception("the upload must be multipart/form-data, not %s", type);
        }
        String boundary = parameters.get("boundary");
        if (boundary == null || boundary.isEmpty() || boundary.length() > 70) {
            throw ExecdError.INVALID_FILE.exception(
                    "the multipart/form-data Content-Type needs a boundary parameter of 1 to 70 characters");
        }
        return boundary;
    }

    /** The next part, after skipping what is left of the previous one; empty after the closing delimiter. */
    Optional<Part> next() throws IOException {
        if (state == State.PREAMBLE) {
            skipPreamble();
        }
        if (state == State.CONTENT) {
            skipContent();
        }
        if (state == State.DONE || closes()) {
            return Optional.empty();
        }
        parts++;
        Map<String, String> headers = readHeaders();
        Map<String, String> disposition = new LinkedHashMap<>();
        String kind = parameters(headers.getOrDefault("content-disposition", ""), disposition);
        String name = disposition.get("name");
        if (!kind.equalsIgnoreCase("form-data") || name == null) {
            throw malformed("part %d has no Content-Disposition: form-data with a name", parts);
        }
        state = State.CONTENT;
        contentEnd = position;
        delimiterAtContentEnd = false;
        return Optional.of(new Part(name, headers, new Content()));
    }

    private void skipPreamble() throws IOException {
        // the first delimiter may open the body without the CRLF that precedes the others
        ensure(delimiter.length - 2);
        if (startsWith(position, 2)) {
            position += delimiter.length - 2;
            state = State.AFTER_DELIMITER;
            return;
        }
        state = State.CONTENT;
        contentEnd = position;
        skipContent();
    }

    private void skipContent() throws IOException {
        while (readContent(null, 0, BUFFER) >= 0) {
            // discarded
        }
    }

    /** After a delimiter: {@code --} closes the body, otherwise optional padding and CRLF lead to the next part. */
    private boolean closes() throws IOException {
        ensure(2);
        if (limit - position >= 2 && buffer[position] == '-' && buffer[position + 1] == '-') {
            state = State.DONE;
            return true;
        }
        while (true) {
            ensure(1);
            if (position == limit) {
                throw malformed("the body ends right after a boundary, without the closing '--'");
            }
            if (buffer[position] != ' ' && buffer[position] != '\t') {
                break;
            }
            position++;
        }
        ensure(2);
        if (limit - position < 2 || buffer[position] != '\r' || buffer[position + 1] != '\n') {
            throw malformed("a boundary is not followed by CRLF");
        }
        position += 2;
        return false;
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int total = 0;
        String previous = null;
        while (true) {
            line.reset();
            while (true) {
                ensure(1);
                if (position == limit) {
                    throw malformed("the body ends inside the headers of part %d", parts);
                }
                byte b = buffer[position++];
                if (++total > MAX_HEADER_BYTES) {
                    throw malformed("the headers of part %d are longer than %d bytes", parts, MAX_HEADER_BYTES);
                }
                if (b == '\n') {
                    break;
                }
                line.write(b);
            }
            String text = line.toString(StandardCharsets.UTF_8);
            if (text.endsWith("\r")) {
                text = text.substring(0, text.length() - 1);
            }
            if (text.isEmpty()) {
                return headers;
            }
            if ((text.charAt(0) == ' ' || text.charAt(0) == '\t') && previous != null) {
                headers.merge(previous, " " + text.trim(), String::concat); // an obsolete folded line
                continue;
            }
            int colon = text.indexOf(':');
            if (colon <= 0) {
                throw malformed("part %d has a header line without a name: '%s'", parts, text);
            }
            previous = text.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            headers.put(previous, text.substring(colon + 1).trim());
        }
    }

    /**
     * Copies up to {@code length} bytes of the current part to {@code target} (or drops them when it is null);
     * {@code -1} once the part ends, with its delimiter consumed.
     */
    private int readContent(byte[] target, int offset, int length) throws IOException {
        if (!hasContent()) {
            return -1;
        }
        int n = Math.min(length, contentEnd - position);
        if (target != null) {
            System.arraycopy(buffer, position, target, offset, n);
        }
        position += n;
        return n;
    }

    /** Writes the current part's bytes that are buffered straight from the buffer; {@code -1} once it ends. */
    private int writeContent(OutputStream out) throws IOException {
        if (!hasContent()) {
            return -1;
        }
        int n = contentEnd - position;
        out.write(buffer, position, n);
        position += n;
        return n;
    }

    /** Whether the current part has bytes at {@code position}; at its end, consumes the delimiter. */
    private boolean hasContent() throws IOException {
        if (state != State.CONTENT) {
            return false;
        }
        if (position == contentEnd) {
            locateContentEnd();
            if (delimiterAtContentEnd && position == contentEnd) {
                position += delimiter.length;
                state = State.AFTER_DELIMITER;
                return false;
            }
        }
        return true;
    }

    /**
     * Finds how far the current part's bytes go in the buffer: up to its delimiter, or short of what may be the start
     * of one. As in Go's reader, CRLF--boundary followed by anything but {@code -}, blank or line end is content.
     */
    private void locateContentEnd() throws IOException {
        ensure(delimiter.length + 1);
        for (int i = position; i <= limit - delimiter.length; i++) {
            if (buffer[i] != '\r' || !startsWith(i, 0)) {
                continue;
            }
            int after = i + delimiter.length;
            if (after == limit && !eof) {
                contentEnd = i; // whether this is a delimiter shows with the next byte
                delimiterAtContentEnd = false;
                return;
            }
            if (after == limit || isDelimiterEnd(buffer[after])) {
                contentEnd = i;
                delimiterAtContentEnd = true;
                return;
            }
        }
        if (eof) {
            throw malformed("the body ends before the closing boundary (was the upload cut off?)");
        }
        contentEnd = limit - (delimiter.length - 1);
        delimiterAtContentEnd = false;
    }

    private static boolean isDelimiterEnd(byte b) {
        return b == '-' || b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    /** Whether the buffer at {@code at} holds the delimiter from its byte {@code from} on. */
    private boolean startsWith(int at, int from) {
        int length = delimiter.length - from;
        if (limit - at < length) {
            return false;
        }
        for (int j = 0; j < length; j++) {
            if (buffer[at + j] != delimiter[from + j]) {
                return false;
            }
        }
        return true;
    }

    /** Reads until at least {@code n} bytes are buffered or the body ends. */
    private void ensure(int n) throws IOException {
        while (!eof && limit - position < n) {
            if (position > 0) {
                System.arraycopy(buffer, position, buffer, 0, limit - position);
                limit -= position;
                contentEnd -= position;
                position = 0;
            }
            int read = in.read(buffer, limit, buffer.length - limit);
            if (read < 0) {
                eof = true;
            } else {
                limit += read;
            }
        }
    }

    /** Splits {@code value; a=1; b="two"} into its main value (returned) and its parameters (names in lower case). */
    static String parameters(String value, Map<String, String> parameters) {
        int semicolon = value.indexOf(';');
        String main = (semicolon < 0 ? value : value.substring(0, semicolon)).trim();
        int i = semicolon < 0 ? value.length() : semicolon + 1;
        while (i < value.length()) {
            int equals = value.indexOf('=', i);
            int nextSemicolon = value.indexOf(';', i);
            if (equals < 0 || (nextSemicolon >= 0 && nextSemicolon < equals)) {
                i = nextSemicolon < 0 ? value.length() : nextSemicolon + 1; // a parameter without a value
                continue;
            }
            String name = value.substring(i, equals).trim().toLowerCase(Locale.ROOT);
            i = equals + 1;
            while (i < value.length() && value.charAt(i) == ' ') {
                i++;
            }
            String parameter;
            if (i < value.length() && value.charAt(i) == '"') {
                StringBuilder quoted = new StringBuilder();
                for (i++; i < value.length() && value.charAt(i) != '"'; i++) {
                    char c = value.charAt(i);
                    if (c == '\\' && i + 1 < value.length()) {
                        c = value.charAt(++i);
                    }
                    quoted.append(c);
                }
                parameter = quoted.toString();
            } else {
                int end = value.indexOf(';', i);
                parameter = value.substring(i, end < 0 ? value.length() : end).trim();
            }
            int end = value.indexOf(';', i);
            i = end < 0 ? value.length() : end + 1;
            parameters.putIfAbsent(name, parameter);
        }
        return main;
    }

    private static ApiException malformed(String format, Object... args) {
        return ExecdError.INVALID_FILE.exception("malformed multipart body: " + String.format(format, args));
    }

    /** The content of the current part; it ends at the part's boundary. */
    private final class Content extends InputStream {
        private final int part = parts;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            return current() ? readContent(target, offset, length) : -1;
        }

        @Override
        public long transferTo(OutputStream out) throws IOException {
            long total = 0;
            int n;
            while (current() && (n = writeContent(out)) >= 0) {
                total += n;
            }
            return total;
        }

        private boolean current() {
            return part == parts;
        }
    }
}
