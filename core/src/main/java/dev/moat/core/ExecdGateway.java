package dev.moat.core;

import dev.moat.core.spi.ExecdEndpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the manager asks of a sandbox's execd. Implemented by the server over HTTP; every call has a timeout and fails
 * with an unchecked exception when execd does not answer.
 */
public interface ExecdGateway {

    /** Whether execd answers {@code /ping} within {@code timeout}. */
    boolean ping(ExecdEndpoint endpoint, Duration timeout);

    /** Starts the default python kernel so the first cell is fast; returns once it is ready. */
    void warmKernel(ExecdEndpoint endpoint);

    /** Adds environment variables to every later command, session and kernel of the sandbox. */
    void applyEnvironment(ExecdEndpoint endpoint, Map<String, String> env);

    /** Starts the user's entrypoint as a background command. */
    void startEntrypoint(ExecdEndpoint endpoint, List<String> entrypoint);
}
