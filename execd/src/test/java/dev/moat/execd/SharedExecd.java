package dev.moat.execd;

import dev.moat.protocol.CommandStatus;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real execd shared by the tests of a class: started before the first test, stopped after the last. Register it
 * as a static field with {@code @RegisterExtension}.
 */
final class SharedExecd implements BeforeAllCallback, AfterAllCallback {

    private final Map<String, String> environment;
    private ExecdProcess execd;

    SharedExecd() {
        this(Map.of());
    }

    SharedExecd(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        execd = ExecdProcess.start(environment);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        execd.close();
    }

    ExecdClient client() {
        return execd.client();
    }

    /** A scratch directory owned by this execd (its working directory), removed when it stops. */
    Path directory() {
        return execd.directory();
    }

    Process process() {
        return execd.process();
    }

    String log() {
        return execd.log();
    }

    /** {@code GET /command/status/{id}}. */
    CommandStatus status(String id) throws Exception {
        return client().get("/command/status/" + id).json(CommandStatus.class);
    }

    /** The whole log of a background command, {@code GET /command/{id}/logs}. */
    String logs(String id) throws Exception {
        return client().get("/command/" + id + "/logs").text();
    }
}
