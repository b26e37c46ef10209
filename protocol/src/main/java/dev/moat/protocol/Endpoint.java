package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * Where a client reaches a port of a sandbox: {@code host:port/path} without a scheme (the client adds its own), and
 * headers it must send along.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Endpoint(String endpoint, Map<String, String> headers) {}
