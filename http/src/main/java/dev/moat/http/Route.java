package dev.moat.http;

/**
 * The code behind one method + path. It runs on a virtual thread and may block; it answers through the exchange and
 * reports expected failures by throwing {@link ApiException}.
 */
@FunctionalInterface
public interface Route {
    void handle(Exchange exchange) throws Exception;
}
