/**
 * The sandbox manager: records and states, sandbox types, warm pools, expiry, health watching, admission and
 * reconciliation with the backend. Backend-agnostic: it talks to sandboxes through {@link dev.moat.core.spi.Backend}
 * and to their execd through {@link dev.moat.core.ExecdGateway}.
 */
package dev.moat.core;
