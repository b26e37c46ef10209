package dev.moat.execd;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moat.http.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns {@link JupyterMessage}s into ZeroMQ frames and back: optional routing identities, the {@code <IDS|MSG>}
 * delimiter, the hex HMAC-SHA256 signature of the four JSON parts, the parts, then binary buffers. Messages whose
 * signature does not verify are refused. Not thread-safe: each kernel connection has its own.
 */
final class MessageCodec {

    static final byte[] DELIMITER = "<IDS|MSG>".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.US_ASCII);

    private final Mac mac;
    private final ObjectMapper json = Json.mapper();

    /** A codec signing with {@code key}; an empty key means the kernel does not sign (and nothing is verified). */
    MessageCodec(String key) {
        if (key.isEmpty()) {
            mac = null;
            return;
        }
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this Java runtime", e);
        }
    }

    /** A frame that could not be read as a message of this kernel. */
    static final class InvalidMessage extends Exception {
        InvalidMessage(String message) {
            super(message, null, false, false);
        }
    }

    List<byte[]> encode(JupyterMessage message) {
        try {
            byte[] header = json.writeValueAsBytes(message.header());
            byte[] parent =
                    message.parentHeader() == null ? EMPTY_OBJECT : json.writeValueAsBytes(message.parentHeader());
            byte[] metadata = json.writeValueAsBytes(message.metadata());
            byte[] content = json.writeValueAsBytes(message.content());
            List<byte[]> frames = new ArrayList<>(6 + message.buffers().size());
            frames.add(DELIMITER);
            frames.add(sign(header, parent, metadata, content));
            frames.add(header);
            frames.add(parent);
            frames.add(metadata);
            frames.add(content);
            frames.addAll(message.buffers());
            return frames;
        } catch (IOException e) {
            throw new IllegalArgumentException("message cannot be written as JSON: " + message.type(), e);
        }
    }

    JupyterMessage decode(List<byte[]> frames) throws InvalidMessage {
        int delimiter = -1;
        for (int i = 0; i < frames.size(); i++) {
            if (Arrays.equals(frames.get(i), DELIMITER)) {
                delimiter = i;
                break;
            }
        }
        if (delimiter < 0 || frames.size() < delimiter + 6) {
            throw new InvalidMessage("no <IDS|MSG> delimiter followed by signature and four parts");
        }
        byte[] signature = frames.get(delimiter + 1);
        byte[] header = frames.get(delimiter + 2);
        byte[] parent = frames.get(delimiter + 3);
        byte[] metadata = frames.get(delimiter + 4);
        byte[] content = frames.get(delimiter + 5);
        if (mac != null && !MessageDigest.isEqual(signature, sign(header, parent, metadata, content))) {
            throw new InvalidMessage("signature does not match the connection key");
        }
        try {
            return new JupyterMessage(
                    json.readValue(header, JupyterMessage.Header.class),
                    json.readValue(parent, JupyterMessage.Header.class),
                    json.readTree(metadata),
                    json.readTree(content),
                    frames.subList(delimiter + 6, frames.size()));
        } catch (IOException e) {
            throw new InvalidMessage("malformed JSON part: " + e.getMessage());
        }
    }

    private byte[] sign(byte[] header, byte[] parent, byte[] metadata, byte[] content) {
        if (mac == null) {
            return new byte[0];
        }
        mac.update(header);
        mac.update(parent);
        mac.update(metadata);
        mac.update(content);
        return HexFormat.of().formatHex(mac.doFinal()).getBytes(StandardCharsets.US_ASCII);
    }
}
