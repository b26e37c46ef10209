/**
 * The Moat Java SDK: create and drive sandboxes on a Moat server, or on any server that speaks the OpenSandbox
 * lifecycle and execd APIs. Start with {@link dev.moat.sdk.Sandbox}; {@link dev.moat.sdk.SandboxManager} manages
 * sandboxes by id and {@link dev.moat.sdk.ExecdClient} talks to one execd directly. Java 17 or later, no dependency
 * beyond the JDK; every failure is a {@link dev.moat.sdk.SandboxApiException}.
 */
package dev.moat.sdk;
