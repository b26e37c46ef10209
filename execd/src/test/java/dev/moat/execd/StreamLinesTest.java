package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamLinesTest {

    private final StreamLines lines = new StreamLines();

    @Test
    void chunksAreCutIntoLinesWithoutTheirNewlines() {
        assertThat(lines.accept("one\ntwo\r\nthr", 0)).containsExactly("one", "two");
        assertThat(lines.accept("ee\n\n", 0)).containsExactly("three", "");
        assertThat(lines.flush()).isEmpty();
    }

    @Test
    void unfinishedLineIsHandedOutOnceOnFlush() {
        assertThat(lines.accept("progress 50%", 0)).isEmpty();

        assertThat(lines.flush()).contains("progress 50%");
        assertThat(lines.flush()).isEmpty();
    }

    @Test
    void unfinishedLineAgesFromItsFirstChunk() {
        lines.accept("a", 100);
        lines.accept("b", 500);

        assertThat(lines.partialOlderThan(1000, 1099)).isFalse();
        assertThat(lines.partialOlderThan(1000, 1100)).isTrue();
    }
}
