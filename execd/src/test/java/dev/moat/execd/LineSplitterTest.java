package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

    private final List<String> lines = new ArrayList<>();
    private final LineSplitter splitter = new LineSplitter(lines::add);

    private void feed(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        splitter.accept(bytes, 0, bytes.length);
    }

    @Test
    void linesSplitAcrossReadsAreJoined() {
        feed("hel");
        feed("lo\nwor");
        feed("ld\n\nlast");
        assertThat(lines).containsExactly("hello", "world", "");

        splitter.finish();

        assertThat(lines).containsExactly("hello", "world", "", "last");
    }

    @Test
    void crlfEndingsLoseTheirCarriageReturn() {
        feed("dos\r\nunix\n");

        assertThat(lines).containsExactly("dos", "unix");
    }

    @Test
    void aLineOverTheLimitIsCutBetweenCharactersNeverInsideOne() {
        // a 2-byte character straddles the limit: the cut must move before it
        String line = "a".repeat(LineSplitter.MAX_LINE_BYTES - 1) + "é".repeat(400);
        feed(line + "\n");

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).hasSize(LineSplitter.MAX_LINE_BYTES - 1).doesNotContain("\uFFFD");
        assertThat(String.join("", lines)).isEqualTo(line);
    }

    @Test
    void noPieceOfALongLineIsLongerThanTheLimitAndTheLastKeepsAMarkerWhole() {
        String marker = "__marker_0123456789abcdef:end:0";
        String line = "b".repeat(LineSplitter.MAX_LINE_BYTES + 10) + marker;
        for (int i = 0; i < line.length(); i += 1000) {
            feed(line.substring(i, Math.min(line.length(), i + 1000)));
        }
        feed("\n");

        assertThat(lines)
                .allSatisfy(piece -> assertThat(piece.length()).isLessThanOrEqualTo(LineSplitter.MAX_LINE_BYTES));
        assertThat(lines.getLast()).endsWith(marker);
        assertThat(String.join("", lines)).isEqualTo(line);
    }

    @Test
    void undecodableBytesBecomeReplacementCharacters() {
        byte[] bytes = {'o', 'k', (byte) 0xff, '\n'};

        splitter.accept(bytes, 0, bytes.length);

        assertThat(lines).containsExactly("ok\uFFFD");
    }
}
