/**
 * The Moat server: configuration, the OpenSandbox lifecycle API, the sandbox proxy into execd, authentication,
 * health and metrics, and the {@code moat server} command.
 */
package dev.moat.server;
