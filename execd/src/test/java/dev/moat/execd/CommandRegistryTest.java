package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moat.http.ApiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandRegistryTest {

    @TempDir
    Path directory;

    private final CommandRegistry registry = new CommandRegistry();

    private CommandRecord finishedCommand(Optional<CommandLog> log) {
        return finishedCommand("true", log);
    }

    private CommandRecord finishedCommand(String content, Optional<CommandLog> log) {
        CommandRecord record = new CommandRecord(registry.newId(), content, Instant.now(), Optional.empty(), log);
        registry.add(record);
        record.finished(new RunOutcome(0, Optional.empty(), 1));
        registry.finished(record);
        return record;
    }

    @Test
    void onlyTheNewestFinishedCommandsAreKeptAndTheLogsOfForgottenOnesAreDeleted() throws Exception {
        Path oldestLog = Files.createFile(directory.resolve("oldest.log"));
        CommandRecord oldest = finishedCommand(Optional.of(new CommandLog(oldestLog)));
        List<CommandRecord> newer = new ArrayList<>();
        for (int i = 0; i < CommandRegistry.MAX_FINISHED; i++) {
            newer.add(finishedCommand(Optional.empty()));
        }

        assertThatThrownBy(() -> registry.get(oldest.id()))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining(oldest.id());
        assertThat(oldestLog).doesNotExist();
        assertThat(registry.get(newer.getFirst().id())).isSameAs(newer.getFirst());
        assertThat(registry.get(newer.getLast().id())).isSameAs(newer.getLast());
    }

    @Test
    void longCommandTextsAreForgottenSoonerSoTheirTotalStaysBounded() {
        String huge = "x".repeat(100_000);
        List<CommandRecord> records = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            records.add(finishedCommand(huge, Optional.empty()));
        }

        long kept = records.stream()
                .filter(r -> {
                    try {
                        return registry.get(r.id()) == r;
                    } catch (ApiException e) {
                        return false;
                    }
                })
                .count();
        assertThat(kept * huge.length()).isLessThanOrEqualTo(CommandRegistry.MAX_FINISHED_CONTENT);
        assertThat(registry.get(records.getLast().id())).isSameAs(records.getLast());
    }

    @Test
    void runningCommandsAreNeverForgotten() {
        CommandRecord running =
                new CommandRecord(registry.newId(), "sleep", Instant.now(), Optional.empty(), Optional.empty());
        registry.add(running);
        for (int i = 0; i < CommandRegistry.MAX_FINISHED + 10; i++) {
            finishedCommand(Optional.empty());
        }

        assertThat(registry.get(running.id())).isSameAs(running);
        assertThat(registry.running()).containsExactly(running);
    }
}
