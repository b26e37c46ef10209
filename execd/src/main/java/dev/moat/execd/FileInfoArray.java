package dev.moat.execd;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.moat.http.Exchange;
import dev.moat.http.Json;
import dev.moat.protocol.FileInfo;
import java.io.BufferedOutputStream;
import java.io.IOException;

/**
 * A 200 answer that is a JSON array of {@link FileInfo}, written while a tree is walked, so that a listing or search
 * of a huge tree needs no more memory than a small one. Call {@link #finish} after the last entry.
 */
final class FileInfoArray {

    private static final ObjectWriter WRITER =
            Json.mapper().writerFor(FileInfo.class).without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);

    private final JsonGenerator json;

    private FileInfoArray(JsonGenerator json) {
        this.json = json;
    }

    static FileInfoArray start(Exchange exchange) throws IOException {
        exchange.response().setStatus(200);
        exchange.header("Content-Type", "application/json");
        JsonGenerator json = Json.mapper()
                .getFactory()
                .createGenerator(new BufferedOutputStream(exchange.output(), 32 * 1024))
                .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        json.writeStartArray();
        return new FileInfoArray(json);
    }

    void add(FileInfo info) throws IOException {
        WRITER.writeValue(json, info);
    }

    void finish() throws IOException {
        json.writeEndArray();
        json.close();
    }
}
