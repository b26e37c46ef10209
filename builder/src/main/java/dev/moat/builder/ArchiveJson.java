package dev.moat.builder;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moat.core.spi.SandboxException;
import java.io.IOException;

/**
 * The JSON documents of image archives (manifests, indexes, configurations): one mapper, and parsing of untrusted
 * documents whose failure says which document was bad.
 */
final class ArchiveJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private ArchiveJson() {}

    /** Parses {@code json}; malformed or empty input fails with {@code what} in the message. */
    static JsonNode parse(byte[] json, String what) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new SandboxException(SandboxException.Kind.INVALID_SPEC, what + " is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new SandboxException(
                    SandboxException.Kind.INVALID_SPEC, what + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new SandboxException(SandboxException.Kind.INVALID_SPEC, what + " cannot be read: " + e.getMessage());
        }
    }

    /** Serialises a tree built in memory, which cannot fail. */
    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an in-memory JSON tree always serialises", e);
        }
    }
}
