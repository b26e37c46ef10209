package dev.moat.server;

import dev.moat.http.Exchange;
import dev.moat.http.Filter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;

/**
 * Requires the API key ({@code BEARER_TOKEN}) as {@code OPEN-SANDBOX-API-KEY} or {@code Authorization: Bearer …} on
 * every route but the open ones ({@code /health}). Compares in constant time.
 */
final class ApiKeyFilter implements Filter {

    static final String API_KEY_HEADER = "OPEN-SANDBOX-API-KEY";

    private final byte[] token;
    private final Set<String> openPaths;

    ApiKeyFilter(String token, Set<String> openPaths) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.openPaths = Set.copyOf(openPaths);
    }

    @Override
    public void check(Exchange exchange) {
        if (openPaths.contains(exchange.path())) {
            return;
        }
        Optional<String> given = exchange.header(API_KEY_HEADER).or(() -> bearer(exchange));
        if (given.isEmpty() || !MessageDigest.isEqual(token, given.get().getBytes(StandardCharsets.UTF_8))) {
            throw ServerError.UNAUTHORIZED
                    .exception(
                            given.isEmpty()
                                    ? "missing API key: send it as OPEN-SANDBOX-API-KEY or Authorization: Bearer"
                                    : "wrong API key")
                    .withHeader("WWW-Authenticate", "Bearer realm=\"moat\"");
        }
    }

    /** Whether this Authorization header carries our own token (so the proxy does not pass it into the sandbox). */
    boolean isOwnCredential(String headerName, String value) {
        if (headerName.equalsIgnoreCase(API_KEY_HEADER)) {
            return true;
        }
        return headerName.equalsIgnoreCase("Authorization")
                && value.regionMatches(true, 0, "Bearer ", 0, 7)
                && MessageDigest.isEqual(token, value.substring(7).strip().getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<String> bearer(Exchange exchange) {
        return exchange.header("Authorization")
                .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(value -> value.substring(7).strip());
    }
}
