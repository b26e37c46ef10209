package dev.moat.http;

import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Which headers cross a proxy. Hop-by-hop headers (RFC 9110 §7.6.1) and the ones a {@code Connection} header names
 * describe a single connection and stop here; so do {@code Expect}, which the proxy answers itself, the body length,
 * which is set from the body itself, and whatever the proxy names (its own credentials, which are no business of the
 * service). Everything else passes unchanged, {@code Host} included, so that services that check it against
 * {@code Origin} (Jupyter, dev servers) see what the browser sent.
 */
public final class ProxyHeaders {

    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection",
            "keep-alive",
            "proxy-authenticate",
            "proxy-authorization",
            "proxy-connection",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade");

    private static final Set<String> STOPPED_REQUEST_HEADERS = Set.of("expect", "content-length");

    private ProxyHeaders() {}

    /** The request headers for the service, without the ones {@code alsoStopped} names. */
    public static void copyRequest(HttpFields from, HttpFields.Mutable to, Predicate<HttpField> alsoStopped) {
        Set<String> stopped = connectionScoped(from);
        for (HttpField field : from) {
            String name = field.getLowerCaseName();
            if (!stopped.contains(name) && !STOPPED_REQUEST_HEADERS.contains(name) && !alsoStopped.test(field)) {
                to.add(field);
            }
        }
    }

    /** The service's response headers for the client. */
    public static void copyResponse(HttpFields from, HttpFields.Mutable to) {
        Set<String> stopped = connectionScoped(from);
        for (HttpField field : from) {
            if (!stopped.contains(field.getLowerCaseName())) {
                to.add(field);
            }
        }
    }

    /**
     * The protocol the client asks to switch to ({@code Connection: upgrade} with {@code Upgrade: X}), if any. h2c is
     * never tunnelled: its HTTP2-Settings header is connection-scoped, so the service could not accept it, and the JDK
     * client offers it on every plain-http request.
     */
    public static Optional<String> upgrade(HttpFields headers) {
        String upgrade = headers.get(HttpHeader.UPGRADE);
        if (upgrade == null
                || upgrade.isBlank()
                || upgrade.strip().equalsIgnoreCase("h2c")
                || !connectionTokens(headers).contains("upgrade")) {
            return Optional.empty();
        }
        return Optional.of(upgrade);
    }

    private static Set<String> connectionScoped(HttpFields headers) {
        Set<String> names = connectionTokens(headers);
        names.addAll(HOP_BY_HOP);
        return names;
    }

    private static Set<String> connectionTokens(HttpFields headers) {
        Set<String> tokens = new HashSet<>();
        for (String value : headers.getValuesList(HttpHeader.CONNECTION)) {
            for (String token : value.split(",")) {
                tokens.add(token.trim().toLowerCase(Locale.ROOT));
            }
        }
        return tokens;
    }
}
