package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLogTest {

    @TempDir
    Path directory;

    private String text(CommandLog log, CommandLog.Slice slice) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        log.copy(slice, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void readsFromAnyLineAcrossManyStridesAsTheFileGrows() throws Exception {
        Path file = directory.resolve("log");
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            first.append("line ").append(i).append('\n');
        }
        Files.writeString(file, first);
        CommandLog log = new CommandLog(file);

        assertThat(log.read(0, false).nextCursor()).isEqualTo(3000);
        Files.writeString(file, "line 3000\nline 3001\nhalf", StandardOpenOption.APPEND);

        CommandLog.Slice slice = log.read(2047, false);
        assertThat(text(log, slice)).startsWith("line 2047\nline 2048\n").endsWith("line 3001\n");
        assertThat(slice.nextCursor()).isEqualTo(3002);
        assertThat(text(log, log.read(1024, false))).startsWith("line 1024\n");
        CommandLog.Slice finished = log.read(3001, true);
        assertThat(text(log, finished)).isEqualTo("line 3001\nhalf");
        assertThat(finished.nextCursor()).isEqualTo(3003);
    }

    @Test
    void anEmptyLogHasNothingAndCursorZero() throws Exception {
        Path file = Files.createFile(directory.resolve("empty"));

        CommandLog.Slice slice = new CommandLog(file).read(0, true);

        assertThat(slice.length()).isZero();
        assertThat(slice.nextCursor()).isZero();
    }
}
