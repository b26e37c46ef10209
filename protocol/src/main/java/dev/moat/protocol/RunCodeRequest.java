package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Body of {@code POST /code}. Without a context (or with a context that has only a language) the code runs in the
 * default context of that language.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunCodeRequest(CodeContext context, String code) {}
