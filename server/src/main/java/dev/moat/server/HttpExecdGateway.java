package dev.moat.server;

import dev.moat.core.ExecdGateway;
import dev.moat.core.spi.ExecdEndpoint;
import dev.moat.core.spi.SandboxException;
import dev.moat.http.Json;
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

    /** Starting a kernel may take long on a loaded host. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    /**
     * The calls of a hand-out only queue work in execd and answer at once; one that hangs longer means a hung execd,
     * and the hand-out moves on to another member or a fresh sandbox instead of holding its client.
     */
    private static final Duration HANDOUT_CALL_TIMEOUT = Duration.ofSeconds(10);

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
        ContentResponse response = send(endpoint, "POST", "/moat/warm-kernel", Map.of(), CALL_TIMEOUT);
        if (response.getStatus() != 200) {
            throw new SandboxException(
                    SandboxException.Kind.FAILED,
                    "the python kernel did not start (" + response.getStatus() + "): " + response.getContentAsString());
        }
    }

    @Override
    public void applyEnvironment(ExecdEndpoint endpoint, Map<String, String> env) {
        ContentResponse response =
                send(endpoint, "POST", "/moat/environment", Map.of("env", env), HANDOUT_CALL_TIMEOUT);
        if (response.getStatus() != 200) {
            throw new SandboxException(
                    SandboxException.Kind.FAILED,
                    "execd refused the environment (" + response.getStatus() + "): " + response.getContentAsString());
        }
    }

    @Override
    public void startEntrypoint(ExecdEndpoint endpoint, List<String> entrypoint) {
        String command = entrypoint.stream().map(HttpExecdGateway::quote).collect(Collectors.joining(" "));
        ContentResponse response = send(
                endpoint,
                "POST",
                "/command",
                new RunCommandRequest(command, null, true, null, null, null, null),
                HANDOUT_CALL_TIMEOUT);
        if (response.getStatus() != 200) {
            throw new SandboxException(
                    SandboxException.Kind.FAILED,
                    "execd could not start the entrypoint (" + response.getStatus() + "): "
                            + response.getContentAsString());
        }
    }

    private ContentResponse send(ExecdEndpoint endpoint, String method, String path, Object body, Duration timeout) {
        try {
            return clients.request(endpoint, method, path)
                    .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .body(new StringRequestContent(
                            "application/json", Json.mapper().writeValueAsString(body), StandardCharsets.UTF_8))
                    .send();
        } catch (Exception e) {
            throw new SandboxException(SandboxException.Kind.FAILED, "execd did not answer " + path + ": " + e, e);
        }
    }

    /** Single-quotes a word for bash. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
