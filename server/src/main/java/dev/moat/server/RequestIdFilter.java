package dev.moat.server;

import dev.moat.http.Exchange;
import dev.moat.http.Filter;
import java.util.UUID;
import java.util.regex.Pattern;

/** Echoes the client's {@code X-Request-ID} on every answer (errors included), or gives the request a new one. */
final class RequestIdFilter implements Filter {

    static final String HEADER = "X-Request-ID";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    @Override
    public void check(Exchange exchange) {
        String id = exchange.header(HEADER)
                .filter(value -> SAFE.matcher(value).matches())
                .orElseGet(() -> UUID.randomUUID().toString());
        exchange.header(HEADER, id);
    }
}
