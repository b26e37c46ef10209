/**
 * The default backend: sandboxes as OCI containers run directly by crun, runc or runsc, with no daemon. Holds the
 * image store ({@code $MOAT_HOME/images}), the bundle writer, the overlay root file systems and cgroup handling.
 */
package dev.moat.backend.oci;
