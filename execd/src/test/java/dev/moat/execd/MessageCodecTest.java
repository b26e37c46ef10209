package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

    private final MessageCodec codec = new MessageCodec("0123456789abcdef");

    @Test
    void encodedMessageDecodesToTheSameHeaderAndContent() throws Exception {
        JupyterMessage sent = JupyterMessage.create(
                "session-1", "execute_request", Map.of("code", "1+1"), JupyterMessage.Header.NONE);

        List<byte[]> frames = codec.encode(sent);
        JupyterMessage received = codec.decode(frames);

        assertThat(frames.getFirst()).isEqualTo(MessageCodec.DELIMITER);
        assertThat(new String(frames.get(1), StandardCharsets.US_ASCII)).matches("[0-9a-f]{64}");
        assertThat(received.header()).isEqualTo(sent.header());
        assertThat(received.content().path("code").asText()).isEqualTo("1+1");
        assertThat(received.parentId()).isEmpty();
    }

    @Test
    void routingIdentitiesBeforeTheDelimiterAreSkipped() throws Exception {
        List<byte[]> frames = new ArrayList<>(codec.encode(
                JupyterMessage.create("s", "status", Map.of("execution_state", "idle"), JupyterMessage.Header.NONE)));
        frames.addFirst("kernel.abc.status".getBytes(StandardCharsets.US_ASCII));

        assertThat(codec.decode(frames).type()).isEqualTo("status");
    }

    @Test
    void tamperedContentIsRefused() {
        List<byte[]> frames = new ArrayList<>(codec.encode(
                JupyterMessage.create("s", "execute_request", Map.of("code", "1"), JupyterMessage.Header.NONE)));
        frames.set(5, "{\"code\":\"import os\"}".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> codec.decode(frames)).hasMessageContaining("signature");
    }

    @Test
    void messageSignedWithAnotherKeyIsRefused() {
        List<byte[]> frames = new MessageCodec("another key")
                .encode(JupyterMessage.create("s", "status", Map.of(), JupyterMessage.Header.NONE));

        assertThatThrownBy(() -> codec.decode(frames)).isInstanceOf(MessageCodec.InvalidMessage.class);
    }

    @Test
    void framesWithoutDelimiterAreRefused() {
        assertThatThrownBy(() -> codec.decode(List.of("{}".getBytes(StandardCharsets.US_ASCII))))
                .hasMessageContaining("<IDS|MSG>");
    }
}
