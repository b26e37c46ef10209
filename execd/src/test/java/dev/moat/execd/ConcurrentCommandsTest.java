package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.protocol.ExecEvent;
import dev.moat.protocol.RunCommandRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Many commands at once: every stream is complete, its own, and right. */
class ConcurrentCommandsTest {

    private static final int COMMANDS = 100;

    @Test
    void hundredConcurrentCommandsAllCompleteWithTheirOwnOutputAndExitCode() throws Exception {
        try (ExecdProcess execd = ExecdProcess.start();
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<ExecEvent>>> streams = IntStream.range(0, COMMANDS)
                    .mapToObj(i -> clients.submit(() -> execd.client().stream(
                            "/command",
                            RunCommandRequest.of("echo out-" + i + "; sleep 0.2; echo err-" + i + " >&2; seq " + i
                                    + "; exit " + (i % 4)))))
                    .toList();

            Set<String> ids = new HashSet<>();
            for (int i = 0; i < COMMANDS; i++) {
                List<ExecEvent> events = streams.get(i).get();
                ids.add(Events.initId(events));
                assertThat(Events.stdout(events).getFirst()).isEqualTo("out-" + i);
                assertThat(Events.stdout(events))
                        .hasSize(1 + i)
                        .endsWith(i == 0 ? new String[] {"out-0"} : new String[] {Integer.toString(i)});
                assertThat(Events.stderr(events)).containsExactly("err-" + i);
                ExecEvent terminal = Events.terminal(events);
                if (i % 4 == 0) {
                    assertThat(terminal).isInstanceOf(ExecEvent.Complete.class);
                } else {
                    assertThat(Events.error(events).evalue()).isEqualTo(Integer.toString(i % 4));
                }
            }
            assertThat(ids).hasSize(COMMANDS);
        }
    }
}
