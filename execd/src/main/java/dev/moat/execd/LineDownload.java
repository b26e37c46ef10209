package dev.moat.execd;

import dev.moat.http.Exchange;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code GET /files/download?path=&offset=N&limit=M}: lines N to N+M-1 of a file (1-based) as {@code text/plain},
 * each ended by a newline. Not in the execd spec, but OpenSandbox's execd serves it and its SDKs send it. Either
 * parameter may be left out (from line 1; to the end). Lines are copied as they stream past, so a file
 * with one huge line costs no memory; a {@code Range} header is ignored.
 */
final class LineDownload {

    private LineDownload() {}

    static void send(Exchange exchange, Path path) throws IOException {
        long offset = positive(exchange, "offset", "a 1-based line number");
        long limit = positive(exchange, "limit", "a number of lines");
        RangeDownload.regularFile(path);
        try (InputStream in = Files.newInputStream(path)) {
            exchange.response().setStatus(200);
            exchange.header("Content-Type", "text/plain; charset=utf-8");
            OutputStream out = new BufferedOutputStream(exchange.output(), 64 * 1024);
            long last = limit > Long.MAX_VALUE - offset ? Long.MAX_VALUE : offset + limit - 1;
            long line = 1;
            boolean lineOpen = false;
            byte[] buffer = new byte[64 * 1024];
            int n;
            read:
            while (line <= last && (n = in.read(buffer)) >= 0) {
                int from = 0; // where the current line starts in this buffer
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        if (line >= offset) {
                            out.write(buffer, from, i + 1 - from);
                            lineOpen = false;
                        }
                        line++;
                        from = i + 1;
                        if (line > last) {
                            break read;
                        }
                    }
                }
                if (line >= offset && from < n) {
                    out.write(buffer, from, n - from);
                    lineOpen = true;
                }
            }
            if (lineOpen) {
                out.write('\n');
            }
            out.flush();
        } catch (IOException e) {
            if (exchange.committed()) {
                throw e;
            }
            throw FileFailures.of(e, path);
        }
    }

    private static long positive(Exchange exchange, String name, String what) {
        long value = exchange.queryLong(name).orElse(name.equals("offset") ? 1L : Long.MAX_VALUE);
        if (value < 1) {
            throw ExecdError.MISSING_QUERY.exception(
                    "query parameter '%s' must be %s of 1 or more, got %d", name, what, value);
        }
        return value;
    }
}
