package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One replacement of {@code POST /files/replace}: every occurrence of {@code old} becomes {@code new}. */
public record ReplaceFileContentItem(
        @JsonProperty("old") String oldText,
        @JsonProperty("new") String newText) {}
