package dev.moat.protocol;

/** One move of {@code POST /files/mv}. */
public record RenameFileItem(String src, String dest) {}
