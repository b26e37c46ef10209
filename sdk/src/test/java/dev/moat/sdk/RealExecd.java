package dev.moat.sdk;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link LocalExecd} for a whole test class, which is skipped (saying why) when this execd does not serve the
 * routes the class needs yet: execd's command, code, file and metrics routes are built in parallel on other branches.
 */
final class RealExecd implements BeforeAllCallback, AfterAllCallback {

    private final String probe;
    private final String branch;
    private LocalExecd execd;

    private RealExecd(String probe, String branch) {
        this.probe = probe;
        this.branch = branch;
    }

    /** An execd that must answer {@code GET probe} with something other than "no route". */
    static RealExecd serving(String probe, String branch) {
        return new RealExecd(probe, branch);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        execd = LocalExecd.start();
        assumeTrue(
                execd.serves("GET", probe),
                "this execd has no route for " + probe + " yet (it is built on the '" + branch
                        + "' branch); runs once merged");
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (execd != null) {
            execd.close();
        }
    }

    LocalExecd execd() {
        return execd;
    }

    ExecdClient client() {
        return execd.client();
    }
}
