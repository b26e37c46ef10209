/**
 * The plug-in points of Moat. A {@link dev.moat.core.spi.Backend} runs sandboxes (containers with execd inside);
 * implementations are found with {@link java.util.ServiceLoader} through {@link dev.moat.core.spi.Backend.Factory}.
 * Everything here is JDK types and Moat records, so a plug-in depends on nothing else.
 */
package dev.moat.core.spi;
