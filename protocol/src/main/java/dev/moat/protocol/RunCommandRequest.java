package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * Body of {@code POST /command}. {@code timeout} is in milliseconds; {@code gid} requires {@code uid}. Absent optional
 * fields are {@code null}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunCommandRequest(
        String command,
        String cwd,
        Boolean background,
        Long timeout,
        Integer uid,
        Integer gid,
        Map<String, String> envs) {

    /** A foreground command with every option left at its default. */
    public static RunCommandRequest of(String command) {
        return new RunCommandRequest(command, null, null, null, null, null, null);
    }

    public boolean isBackground() {
        return Boolean.TRUE.equals(background);
    }
}
