package dev.moat.protocol;

import java.util.List;

/** Answer of {@code GET /v1/sandboxes}. */
public record ListSandboxesResponse(List<SandboxResource> items, PaginationInfo pagination) {}
