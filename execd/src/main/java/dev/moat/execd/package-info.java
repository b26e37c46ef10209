/**
 * execd, the daemon inside every sandbox. It serves the OpenSandbox execd API over a Unix socket (and optionally TCP):
 * shell commands with streamed output, bash sessions, Jupyter kernels as code contexts, files and directories,
 * resource metrics and a proxy to services started inside the sandbox.
 */
package dev.moat.execd;
