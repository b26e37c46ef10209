package dev.moat.builder;

import java.util.List;

/**
 * {@code moat/base:latest}, the image sandboxes run by default: Debian bookworm (minbase) with python3 and ipykernel
 * (execd's python3 code contexts), bash, coreutils, util-linux (setsid, setpriv), procps, git, curl and CA
 * certificates. tini and execd are not in it: the backend mounts them at {@code /opt/moat}.
 *
 * <p>matplotlib and numpy are left out on purpose: with their dependencies (a compiler, BLAS, boost headers) the image
 * grows from about 350 MB to 1.3 GB and the build takes twice as long. Images that need them are built on top of this
 * one, or imported.
 */
public final class BaseImage {

    /** Where the base image lives in the store. */
    public static final ImageReference REFERENCE = new ImageReference("moat/base", "latest");

    /** The recipe {@code moat image build base} runs. */
    public static final DebianRecipe RECIPE = new DebianRecipe(
            "base",
            REFERENCE,
            "bookworm",
            List.of(
                    "python3",
                    "python3-ipykernel",
                    "bash",
                    "coreutils",
                    "util-linux",
                    "procps",
                    "git",
                    "curl",
                    "ca-certificates"),
            List.of(
                    "usr/bin/python3",
                    "usr/bin/bash",
                    "usr/bin/ps",
                    "usr/bin/setsid",
                    "usr/bin/git",
                    "usr/bin/curl",
                    "etc/ssl/certs/ca-certificates.crt",
                    "usr/share/jupyter/kernels/python3/kernel.json"));

    private BaseImage() {}

    /**
     * The base image, built first if the store lacks it or an older recipe built it. Returns at once when it is there;
     * when several threads or processes ask at the same time, one builds and the others wait for it.
     */
    public static StoredImage ensure(ImageStore store, Progress progress) throws InterruptedException {
        return new ImageBuilder(store, progress).build(RECIPE, false).image();
    }
}
