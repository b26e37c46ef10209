package dev.moat.execd;

import dev.moat.http.Exchange;
import dev.moat.http.Filter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Refuses every request that does not carry the configured token in {@code X-EXECD-ACCESS-TOKEN}. */
final class AccessTokenFilter implements Filter {

    static final String HEADER = "X-EXECD-ACCESS-TOKEN";

    private final byte[] token;

    AccessTokenFilter(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void check(Exchange exchange) {
        byte[] given = exchange.header(HEADER).orElse("").getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(token, given)) {
            throw ExecdError.UNAUTHORIZED
                    .exception("missing or wrong access token: send it in the %s header", HEADER)
                    .withHeader("WWW-Authenticate", "Token realm=\"execd\", header=\"" + HEADER + "\"");
        }
    }
}
