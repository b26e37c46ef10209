package dev.moat.execd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.moat.http.Json;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One message of the Jupyter messaging protocol (version 5.3): header, the header of the request it answers, metadata,
 * content and optional binary buffers. Content stays a JSON tree because each message type has its own fields.
 */
record JupyterMessage(Header header, Header parentHeader, JsonNode metadata, JsonNode content, List<byte[]> buffers) {

    static final String PROTOCOL_VERSION = "5.3";

    /** The header of a message; fields a newer kernel adds are ignored. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Header(
            @JsonProperty("msg_id") String msgId,
            String session,
            String username,
            String date,
            @JsonProperty("msg_type") String msgType,
            String version) {

        /** The parent header of a message that answers nothing: {@code {}} on the wire. */
        static final Header NONE = new Header(null, null, null, null, null, null);
    }

    JupyterMessage {
        buffers = List.copyOf(buffers);
    }

    /** A new message of this client's session, with a fresh message id, answering {@code parent}. */
    static JupyterMessage create(String session, String msgType, Object content, Header parent) {
        Header header = new Header(
                UUID.randomUUID().toString(), session, "moat", Instant.now().toString(), msgType, PROTOCOL_VERSION);
        return new JupyterMessage(
                header,
                parent,
                JsonNodeFactory.instance.objectNode(),
                Json.mapper().valueToTree(content),
                List.of());
    }

    String id() {
        return header.msgId();
    }

    String type() {
        return header.msgType() == null ? "" : header.msgType();
    }

    /** The id of the request this message answers or belongs to, or empty. */
    String parentId() {
        return parentHeader == null || parentHeader.msgId() == null ? "" : parentHeader.msgId();
    }
}
