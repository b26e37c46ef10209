package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Metadata of one file system entry. {@code type} is {@code file}, {@code directory}, {@code symlink} or
 * {@code other}; {@code mode} is the permission bits written as octal digits (0755 is {@code 755}).
 */
public record FileInfo(
        String path,
        String type,
        long size,
        @JsonProperty("modified_at") String modifiedAt,
        @JsonProperty("created_at") String createdAt,
        String owner,
        String group,
        int mode) {}
