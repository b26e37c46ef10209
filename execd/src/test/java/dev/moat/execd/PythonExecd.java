package dev.moat.execd;

import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real execd shared by the tests of a class that need python kernels: skipped (with the reason) where
 * python3-ipykernel is missing, started before the first test, stopped after the last. Register it with
 * {@code @RegisterExtension static final PythonExecd execd = new PythonExecd();}.
 */
final class PythonExecd implements BeforeAllCallback, AfterAllCallback {

    private final Callable<Map<String, String>> environment;
    private ExecdProcess process;
    private CodeApi code;

    PythonExecd() {
        this(Map::of);
    }

    /** An execd with extra environment, computed when the class starts (after the python check). */
    PythonExecd(Callable<Map<String, String>> environment) {
        this.environment = environment;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        CodeApi.assumePythonKernel();
        process = ExecdProcess.start(environment.call());
        code = new CodeApi(process.client());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (process != null) {
            process.close();
        }
    }

    ExecdClient client() {
        return process.client();
    }

    CodeApi code() {
        return code;
    }

    ExecdProcess process() {
        return process;
    }
}
