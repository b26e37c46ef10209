package dev.moat.execd;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real execd for all tests of a class, started before the first and stopped after the last: register it with
 * {@code @RegisterExtension static final ExecdExtension execd = new ExecdExtension();}.
 */
final class ExecdExtension implements BeforeAllCallback, AfterAllCallback {

    private ExecdProcess process;
    private FilesClient files;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        process = ExecdProcess.start();
        files = new FilesClient(process.client());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        process.close();
    }

    ExecdClient client() {
        return process.client();
    }

    FilesClient files() {
        return files;
    }

    /** execd's working directory. */
    Path directory() {
        return process.directory();
    }

    Path socket() {
        return process.socket();
    }
}
