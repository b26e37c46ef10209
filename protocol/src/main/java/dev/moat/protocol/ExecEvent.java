package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;

/**
 * One event of an execution stream ({@code POST /command}, {@code /code}, {@code /session/{id}/run}). On the wire each
 * event is one line of compact JSON whose {@code type} names the variant. A stream starts with {@link Init} and ends
 * with exactly one terminal event: {@link Complete} or {@link Error}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type", visible = false)
@JsonSubTypes({
    @JsonSubTypes.Type(value = ExecEvent.Init.class, name = "init"),
    @JsonSubTypes.Type(value = ExecEvent.Status.class, name = "status"),
    @JsonSubTypes.Type(value = ExecEvent.Stdout.class, name = "stdout"),
    @JsonSubTypes.Type(value = ExecEvent.Stderr.class, name = "stderr"),
    @JsonSubTypes.Type(value = ExecEvent.Result.class, name = "result"),
    @JsonSubTypes.Type(value = ExecEvent.ExecutionCount.class, name = "execution_count"),
    @JsonSubTypes.Type(value = ExecEvent.Complete.class, name = "execution_complete"),
    @JsonSubTypes.Type(value = ExecEvent.Error.class, name = "error"),
    @JsonSubTypes.Type(value = ExecEvent.Ping.class, name = "ping")
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ExecEvent {

    /** When the event was generated, Unix milliseconds. */
    long timestamp();

    /** Whether this event ends the stream. */
    @JsonIgnore
    default boolean terminal() {
        return this instanceof Complete || this instanceof Error;
    }

    /** First event of every stream; {@code text} is the id of the command or context that runs. */
    record Init(String text, long timestamp) implements ExecEvent {}

    /** A status change reported by a kernel ({@code busy}, {@code idle}). */
    record Status(String text, long timestamp) implements ExecEvent {}

    /** One line of standard output, without its newline. */
    record Stdout(String text, long timestamp) implements ExecEvent {}

    /** One line of standard error, without its newline. */
    record Stderr(String text, long timestamp) implements ExecEvent {}

    /** A rich result: a MIME bundle such as {@code {"text/plain": "2", "image/png": "<base64>"}}. */
    record Result(
            Map<String, Object> results,
            @JsonProperty("execution_count") Integer executionCount,
            long timestamp) implements ExecEvent {}

    /** The execution counter of a code cell. */
    record ExecutionCount(@JsonProperty("execution_count") int executionCount, long timestamp) implements ExecEvent {}

    /** Terminal event of a successful run. */
    record Complete(@JsonProperty("execution_time") long executionTime, long timestamp) implements ExecEvent {}

    /**
     * Terminal event of a failed run. For commands {@code ename} is {@code CommandExecError} and {@code evalue} the exit
     * code; for code cells it is the exception raised.
     */
    record Error(ErrorDetail error, long timestamp) implements ExecEvent {}

    /** Keep-alive sent every few seconds on long runs. */
    record Ping(String text, long timestamp) implements ExecEvent {}

    /** The name, value and traceback of a failure. */
    record ErrorDetail(String ename, String evalue, List<String> traceback) {
        public ErrorDetail {
            traceback = traceback == null ? List.of() : List.copyOf(traceback);
        }
    }
}
