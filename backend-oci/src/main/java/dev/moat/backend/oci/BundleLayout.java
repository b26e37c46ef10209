package dev.moat.backend.oci;

import java.nio.file.Path;

/**
 * Where one sandbox's files live on the host: {@code $MOAT_HOME/sandboxes/<id>/} with {@code config.json},
 * {@code sandbox.json} (what Moat knows of it), the overlay's {@code upper/}, {@code work/} and merged {@code rootfs/},
 * {@code run/} (execd's socket, mounted at {@code /run/moat}), the container's log and pid file, and transient mount
 * points ({@code lower/}, {@code mounts/<n>}) used only while the sandbox is being created.
 */
record BundleLayout(Path directory) {

    /** The longest path a Unix socket address can hold (sun_path is 108 bytes with its terminating zero). */
    static final int MAX_SOCKET_PATH = 107;

    static BundleLayout of(Path sandboxes, String id) {
        return new BundleLayout(sandboxes.resolve(id));
    }

    String id() {
        return directory.getFileName().toString();
    }

    Path config() {
        return directory.resolve("config.json");
    }

    Path record() {
        return directory.resolve("sandbox.json");
    }

    Path rootfs() {
        return directory.resolve("rootfs");
    }

    Path upper() {
        return directory.resolve("upper");
    }

    Path work() {
        return directory.resolve("work");
    }

    Path lower() {
        return directory.resolve("lower");
    }

    Path staging(int index) {
        return directory.resolve("mounts").resolve(Integer.toString(index));
    }

    Path run() {
        return directory.resolve("run");
    }

    Path socket() {
        return run().resolve("execd.sock");
    }

    Path log() {
        return directory.resolve("container.log");
    }

    Path pidFile() {
        return directory.resolve("container.pid");
    }
}
