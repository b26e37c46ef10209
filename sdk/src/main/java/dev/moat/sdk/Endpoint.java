package dev.moat.sdk;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * How to reach a port of a sandbox, as the lifecycle API answers it: {@code host:port/path} without a scheme (the
 * client adds its own), and headers every request to it must carry.
 */
public record Endpoint(String endpoint, Map<String, String> headers) {

    public Endpoint {
        Objects.requireNonNull(endpoint, "endpoint");
        headers = Map.copyOf(headers);
    }

    /** The endpoint as a URL in {@code scheme} ({@code http} or {@code https}). */
    public URI url(String scheme) {
        return URI.create(scheme + "://" + endpoint);
    }

    static Endpoint read(Object json) {
        JsonObject endpoint = JsonObject.of(json, "the endpoint");
        String address = endpoint.string("endpoint");
        if (address.contains("://")) {
            // the spec says "without scheme", but a server that adds one still means the same place
            address = address.substring(address.indexOf("://") + 3);
        }
        return new Endpoint(address, endpoint.stringMap("headers"));
    }
}
