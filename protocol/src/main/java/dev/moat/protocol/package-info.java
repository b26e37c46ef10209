/**
 * Wire records shared by execd, the server and the SDK. Field names follow the OpenSandbox execd and lifecycle
 * specifications exactly; every record here is plain data with Jackson annotations and nothing else, so that this
 * module can be compiled for Java 17 and used by any client.
 */
package dev.moat.protocol;
