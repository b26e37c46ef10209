package dev.moat.protocol;

/**
 * Body and answer of {@code POST /v1/sandboxes/{id}/renew-expiration}: the new absolute expiry, RFC 3339 UTC.
 */
public record RenewExpiration(String expiresAt) {}
