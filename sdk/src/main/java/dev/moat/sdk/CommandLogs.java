package dev.moat.sdk;

import java.util.OptionalLong;

/**
 * Output of a background command ({@code GET /command/{id}/logs}): stdout and stderr as plain text, and the cursor to
 * pass to the next call to get only what came after.
 *
 * @param content the output since the cursor that was asked for (all of it without one)
 * @param cursor the server's tail cursor ({@code EXECD-COMMANDS-TAIL-CURSOR}), when it sent one
 */
public record CommandLogs(String content, OptionalLong cursor) {}
