package dev.moat.protocol;

/**
 * The error envelope every Moat API answers with on a non-2xx status: a machine-readable code and a message that says
 * what was wrong and what to do about it.
 */
public record ErrorResponse(String code, String message) {}
