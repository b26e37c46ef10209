package dev.moat.protocol;

/** Per-file answer of {@code POST /files/replace?verbose=true}. */
public record ReplaceFileContentResult(int replacedCount) {}
