package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.protocol.ErrorResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input to the command and session routes gets a 4xx with a {@code {code,message}} that says what was wrong:
 * never a 500, a hang or a crash, and nothing is started.
 */
class CommandBadInputTest {

    @RegisterExtension
    static final SharedExecd execd = new SharedExecd();

    private static String session;

    @BeforeAll
    static void createSession() throws Exception {
        session = execd.client()
                .post("/session", java.util.Map.of())
                .json(dev.moat.protocol.CreateSessionResponse.class)
                .sessionId();
    }

    static Stream<Arguments> badBodies() {
        String tooLong = "x".repeat(CommandSpec.MAX_COMMAND_BYTES + 1);
        return Stream.of(
                Arguments.of("/command", "{\"command\": ", 400, "INVALID_REQUEST_BODY", "malformed"),
                Arguments.of("/command", "", 400, "INVALID_REQUEST_BODY", "empty"),
                Arguments.of("/command", "[1, 2]", 400, "INVALID_REQUEST_BODY", "Cannot deserialize"),
                Arguments.of("/command", "{}", 400, "INVALID_REQUEST_BODY", "'command' is missing"),
                Arguments.of("/command", "{\"command\": \"   \"}", 400, "INVALID_REQUEST_BODY", "'command'"),
                Arguments.of("/command", "{\"command\": 5}", 400, "INVALID_REQUEST_BODY", "command"),
                Arguments.of("/command", "{\"command\": \"a\\u0000b\"}", 400, "INVALID_REQUEST_BODY", "NUL"),
                Arguments.of("/command", "{\"command\": \"" + tooLong + "\"}", 400, "INVALID_REQUEST_BODY", "bytes"),
                Arguments.of(
                        "/command",
                        "{\"command\": \"true\", \"timeout\": \"soon\"}",
                        400,
                        "INVALID_REQUEST_BODY",
                        "timeout"),
                Arguments.of(
                        "/command", "{\"command\": \"true\", \"timeout\": -5}", 400, "INVALID_REQUEST_BODY", "timeout"),
                Arguments.of(
                        "/command",
                        "{\"command\": \"true\", \"background\": \"yes\"}",
                        400,
                        "INVALID_REQUEST_BODY",
                        "background"),
                Arguments.of(
                        "/command",
                        "{\"command\": \"true\", \"cwd\": \"/no/such/dir\"}",
                        400,
                        "INVALID_REQUEST_BODY",
                        "/no/such/dir"),
                Arguments.of(
                        "/command",
                        "{\"command\": \"true\", \"cwd\": \"/etc/passwd\"}",
                        400,
                        "INVALID_REQUEST_BODY",
                        "not a directory"),
                Arguments.of(
                        "/command",
                        "{\"command\": \"true\", \"gid\": 100}",
                        400,
                        "INVALID_REQUEST_BODY",
                        "without uid"),
                Arguments.of("/command", "{\"command\": \"true\", \"uid\": -1}", 400, "INVALID_REQUEST_BODY", "uid"),
                Arguments.of(
                        "/command",
                        "{\"command\": \"true\", \"uid\": 4242424}",
                        400,
                        "INVALID_REQUEST_BODY",
                        "no entry in /etc/passwd"),
                Arguments.of(
                        "/command", "{\"command\": \"true\", \"uid\": \"root\"}", 400, "INVALID_REQUEST_BODY", "uid"),
                Arguments.of(
                        "/command",
                        "{\"command\": \"true\", \"envs\": {\"A\": 1}}",
                        400,
                        "INVALID_REQUEST_BODY",
                        "envs"),
                Arguments.of(
                        "/command",
                        "{\"command\": \"true\", \"envs\": {\"A\": null}}",
                        400,
                        "INVALID_REQUEST_BODY",
                        "'A' has no value"),
                Arguments.of(
                        "/command",
                        "{\"command\": \"true\", \"envs\": {\"A=B\": \"c\"}}",
                        400,
                        "INVALID_REQUEST_BODY",
                        "not a valid variable name"),
                Arguments.of(
                        "/command", "{\"command\": \"true\", \"envs\": [\"A\"]}", 400, "INVALID_REQUEST_BODY", "envs"),
                Arguments.of("/session", "{\"cwd\": \"/no/such/dir\"}", 400, "INVALID_REQUEST_BODY", "/no/such/dir"),
                Arguments.of("/session", "{\"cwd\": 3}", 400, "INVALID_REQUEST_BODY", "cwd"),
                Arguments.of("/session", "not json", 400, "INVALID_REQUEST_BODY", "malformed"),
                Arguments.of("/session/{session}/run", "{}", 400, "INVALID_REQUEST_BODY", "'command' is missing"),
                Arguments.of("/session/{session}/run", "{\"command\": \"\"}", 400, "INVALID_REQUEST_BODY", "'command'"),
                Arguments.of(
                        "/session/{session}/run",
                        "{\"command\": \"true\", \"timeout\": -1}",
                        400,
                        "INVALID_REQUEST_BODY",
                        "timeout"),
                Arguments.of(
                        "/session/{session}/run",
                        "{\"command\": \"true\", \"cwd\": \"/no/such/dir\"}",
                        400,
                        "INVALID_REQUEST_BODY",
                        "/no/such/dir"),
                Arguments.of("/session/{session}/run", "{oops", 400, "INVALID_REQUEST_BODY", "malformed"),
                Arguments.of(
                        "/session/session-unknown/run",
                        "{\"command\": \"true\"}",
                        404,
                        "SESSION_NOT_FOUND",
                        "session-unknown"));
    }

    @ParameterizedTest(name = "POST {0} {1} -> {2} {3}")
    @MethodSource("badBodies")
    void aBadBodyIsRefusedWithACodeAndAMessageThatSaysWhy(
            String path, String body, int status, String code, String says) throws Exception {
        ExecdClient.Response response = execd.client().postRaw(path.replace("{session}", session), body);

        assertThat(response.status()).as(response.text()).isEqualTo(status);
        ErrorResponse error = response.error();
        assertThat(error.code()).isEqualTo(code);
        assertThat(error.message()).contains(says);
    }

    static Stream<Arguments> badQueries() {
        return Stream.of(
                Arguments.of("GET", "/command/status/cmd-unknown", 404, "COMMAND_NOT_FOUND", "cmd-unknown"),
                Arguments.of("GET", "/command/cmd-unknown/logs", 404, "COMMAND_NOT_FOUND", "cmd-unknown"),
                Arguments.of("DELETE", "/command?id=cmd-unknown", 404, "COMMAND_NOT_FOUND", "cmd-unknown"),
                Arguments.of("DELETE", "/command", 400, "MISSING_QUERY", "'id'"),
                Arguments.of("DELETE", "/command?id=", 400, "MISSING_QUERY", "'id'"),
                Arguments.of("GET", "/command/entrypoint/logs", 404, "COMMAND_NOT_FOUND", "entrypoint"),
                Arguments.of("DELETE", "/session/session-unknown", 404, "SESSION_NOT_FOUND", "session-unknown"));
    }

    @ParameterizedTest(name = "{0} {1} -> {2} {3}")
    @MethodSource("badQueries")
    void anUnknownIdOrAMissingParameterIsRefused(String method, String path, int status, String code, String says)
            throws Exception {
        ExecdClient.Response response = execd.client().send(execd.client().request(method, path));

        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.error().code()).isEqualTo(code);
        assertThat(response.error().message()).contains(says);
    }

    @Test
    void aBadCursorIsRefused() throws Exception {
        String id = Events.initId(execd.client().stream(
                "/command", new dev.moat.protocol.RunCommandRequest("echo x", null, true, null, null, null, null)));

        for (String cursor : new String[] {"-1", "abc", "1.5"}) {
            ExecdClient.Response response = execd.client().get("/command/" + id + "/logs?cursor=" + cursor);
            assertThat(response.status()).as(cursor).isEqualTo(400);
            assertThat(response.error().message()).contains("cursor");
        }
    }

    @Test
    void logsOfAForegroundCommandAreRefusedWithAReason() throws Exception {
        String id = Events.initId(execd.client().stream("/command", dev.moat.protocol.RunCommandRequest.of("echo x")));

        ExecdClient.Response response = execd.client().get("/command/" + id + "/logs");

        assertThat(response.status()).isEqualTo(409);
        assertThat(response.error().message()).contains("foreground").contains("background");
    }

    @Test
    void execdStillServesAfterAllThat() throws Exception {
        for (Arguments bad : badBodies().toList()) {
            execd.client().postRaw(((String) bad.get()[0]).replace("{session}", session), (String) bad.get()[1]);
        }

        assertThat(execd.client().get("/ping").status()).isEqualTo(200);
        assertThat(Events.stdout(execd.client().stream("/command", dev.moat.protocol.RunCommandRequest.of("echo ok"))))
                .containsExactly("ok");
        assertThat(execd.log()).doesNotContain("Exception");
    }
}
