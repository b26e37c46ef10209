package dev.moat.server;

import dev.moat.core.ExecdGateway;
import dev.moat.core.spi.ExecdEndpoint;
import dev.moat.core.spi.SandboxException;
import dev.moat.http.Json;
import dev.moat.protocol.CodeContext;
import dev.moat.protocol.ExecEvent;
import dev.moat.protocol.RunCodeRequest;
import dev.moat.protocol.RunCommandRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.StringRequestContent;

/** The manager's view of execd, spoken over HTTP with the shared {@link ExecdClients}. */
final class HttpExecdGateway implements ExecdGateway {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final ExecdClients clients;

    HttpExecdGateway(ExecdClients clients) {
        this.clients = clients;
    }

    @Override
    public boolean ping(ExecdEndpoint endpoint, Duration timeout) {
        try {
            return clients.request(endpoint, "GET", "/ping")
                            .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                            .send()
                            .getStatus()
                    == 200;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void warmKernel(ExecdEndpoint endpoint) {
        // a language is what makes it a kernel's cell: without one execd runs the code as a shell command
        List<ExecEvent> events = stream(endpoint, "/code", new RunCodeRequest(new CodeContext(null, "python"), "None"));
        if (events.stream().noneMatch(event -> event instanceof ExecEvent.Complete)) {
            throw new SandboxException(
                    SandboxException.Kind.FAILED, "the python kernel did not start: " + describe(events));
        }
    }

    @Override
    public void applyEnvironment(ExecdEndpoint endpoint, Map<String, String> env) {
        ContentResponse response = send(endpoint, "POST", "/moat/environment", Map.of("env", env));
        if (response.getStatus() != 200) {
            throw new SandboxException(
                    SandboxException.Kind.FAILED,
                    "execd refused the environment (" + response.getStatus() + "): " + response.getContentAsString());
        }
    }

    @Override
    public void startEntrypoint(ExecdEndpoint endpoint, List<String> entrypoint) {
        String command = entrypoint.stream().map(HttpExecdGateway::quote).collect(Collectors.joining(" "));
        ContentResponse response =
                send(endpoint, "POST", "/command", new RunCommandRequest(command, null, true, null, null, null, null));
        if (response.getStatus() != 200) {
            throw new SandboxException(
                    SandboxException.Kind.FAILED,
                    "execd could not start the entrypoint (" + response.getStatus() + "): "
                            + response.getContentAsString());
        }
    }

    private ContentResponse send(ExecdEndpoint endpoint, String method, String path, Object body) {
        try {
            return clients.request(endpoint, method, path)
                    .timeout(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .body(new StringRequestContent(
                            "application/json", Json.mapper().writeValueAsString(body), StandardCharsets.UTF_8))
                    .send();
        } catch (Exception e) {
            throw new SandboxException(SandboxException.Kind.FAILED, "execd did not answer " + path + ": " + e, e);
        }
    }

    private List<ExecEvent> stream(ExecdEndpoint endpoint, String path, Object body) {
        ContentResponse response = send(endpoint, "POST", path, body);
        if (response.getStatus() != 200) {
            throw new SandboxException(
                    SandboxException.Kind.FAILED,
                    "execd answered " + path + " with " + response.getStatus() + ": " + response.getContentAsString());
        }
        return response.getContentAsString()
                .lines()
                .filter(line -> !line.isBlank())
                .map(line -> {
                    try {
                        return Json.mapper().readValue(line, ExecEvent.class);
                    } catch (Exception e) {
                        throw new SandboxException(
                                SandboxException.Kind.FAILED, "execd sent an unreadable event: " + line, e);
                    }
                })
                .toList();
    }

    private static String describe(List<ExecEvent> events) {
        return events.stream()
                .filter(event -> event instanceof ExecEvent.Error)
                .map(event -> ((ExecEvent.Error) event).error().toString())
                .findFirst()
                .orElse(events.toString());
    }

    /** Single-quotes a word for bash. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
