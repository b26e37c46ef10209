package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A code execution context: one Jupyter kernel of the given language. Also the body of {@code POST /code/context}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CodeContext(String id, String language) {}
