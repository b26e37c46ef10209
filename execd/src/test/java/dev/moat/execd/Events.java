package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.protocol.ExecEvent;
import java.util.List;

/** Reading execution streams in tests: the output lines, and the terminal event checked to be the only one, last. */
final class Events {

    private Events() {}

    static List<String> stdout(List<ExecEvent> events) {
        return events.stream()
                .filter(ExecEvent.Stdout.class::isInstance)
                .map(e -> ((ExecEvent.Stdout) e).text())
                .toList();
    }

    static List<String> stderr(List<ExecEvent> events) {
        return events.stream()
                .filter(ExecEvent.Stderr.class::isInstance)
                .map(e -> ((ExecEvent.Stderr) e).text())
                .toList();
    }

    /** The id the stream's {@code init} event (which must come first) carries. */
    static String initId(List<ExecEvent> events) {
        assertThat(events).first().isInstanceOf(ExecEvent.Init.class);
        return ((ExecEvent.Init) events.getFirst()).text();
    }

    /** The terminal event, checked to be the only one and the last event. */
    static ExecEvent terminal(List<ExecEvent> events) {
        assertThat(events.stream().filter(ExecEvent::terminal))
                .as("terminal events in %s", events)
                .hasSize(1);
        assertThat(events.getLast().terminal()).as("last event of %s", events).isTrue();
        return events.getLast();
    }

    /** The error of a stream that ended with one. */
    static ExecEvent.ErrorDetail error(List<ExecEvent> events) {
        ExecEvent last = terminal(events);
        assertThat(last).as("terminal event").isInstanceOf(ExecEvent.Error.class);
        return ((ExecEvent.Error) last).error();
    }

    /** Checks the stream ended with execution_complete and returns it. */
    static ExecEvent.Complete complete(List<ExecEvent> events) {
        ExecEvent last = terminal(events);
        assertThat(last).as("terminal event").isInstanceOf(ExecEvent.Complete.class);
        return (ExecEvent.Complete) last;
    }
}
