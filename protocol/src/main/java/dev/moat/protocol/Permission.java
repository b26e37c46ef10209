package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Ownership and mode for {@code POST /files/permissions} and {@code POST /directories}. {@code mode} is octal digits
 * (755); {@code owner} and {@code group} are names or numeric ids, {@code null} to leave unchanged.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Permission(String owner, String group, Integer mode) {}
