package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The {@code metadata} part that precedes each {@code file} part of a multipart upload. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FileMetadata(String path, String owner, String group, Integer mode) {}
