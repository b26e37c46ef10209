package dev.moat.builder;

import dev.moat.core.spi.SandboxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Debian image built with mmdebstrap: the {@code minbase} variant plus {@code packages}, without documentation, man
 * pages, translations or apt lists, with the mount points sandboxes need ({@code /workspace}, {@code /opt/moat},
 * {@code /run/moat}, {@code /tmp}).
 *
 * @param name what {@code moat image build NAME} calls it
 * @param reference where the image goes in the store
 * @param suite the Debian release ({@code bookworm})
 * @param packages installed on top of {@code minbase}, with their dependencies but no recommends
 * @param requiredFiles paths (relative to the root) that must exist after the build, or the build failed
 */
public record DebianRecipe(
        String name, ImageReference reference, String suite, List<String> packages, List<String> requiredFiles) {

    /** Changing what the recipe produces changes its digest; a stored image of an older recipe is rebuilt. */
    static final String LABEL_RECIPE = "dev.moat.recipe";

    static final String LABEL_RECIPE_DIGEST = "dev.moat.recipe.digest";
    static final List<String> MOUNT_POINTS = List.of("workspace", "opt/moat", "run/moat", "tmp");
    static final List<String> ENV =
            List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8");
    static final String WORKDIR = "/workspace";

    public DebianRecipe {
        packages = List.copyOf(packages);
        requiredFiles = List.copyOf(requiredFiles);
    }

    /** The options that decide the image's content: the recipe digest is computed over these. */
    List<String> contentOptions() {
        List<String> options = new ArrayList<>();
        options.add("--variant=minbase");
        options.add("--include=" + String.join(",", packages));
        options.add("--aptopt=Acquire::Languages \"none\"");
        for (String excluded : List.of("man", "locale", "doc", "info", "lintian", "linda")) {
            options.add("--dpkgopt=path-exclude=/usr/share/" + excluded + "/*");
        }
        options.add("--dpkgopt=path-include=/usr/share/locale/locale.alias");
        options.add("--dpkgopt=path-include=/usr/share/doc/*/copyright");
        // dpkg's path-exclude spares symbolic links (changelog aliases), so documentation gets a last sweep
        String finish = "find \"$1\"/usr/share/doc ! -type d ! -name copyright -delete"
                + " && rm -rf \"$1\"/var/log/apt/* \"$1\"/var/log/dpkg.log \"$1\"/var/log/alternatives.log"
                + " \"$1\"/var/cache/debconf/*-old";
        options.add("--customize-hook=" + finish);
        return options;
    }

    /**
     * mmdebstrap's command line. {@code aptCache} keeps downloaded packages between builds (mmdebstrap's
     * sync-in/sync-out hooks); the hooks cannot quote, so a cache path with white space is not used.
     */
    List<String> mmdebstrapArguments(DebianMirror mirror, Path target, Path aptCache) {
        List<String> arguments = new ArrayList<>(contentOptions());
        arguments.add("--verbose");
        if (!aptCache.toString().matches(".*\\s.*")) {
            arguments.add("--skip=essential/unlink");
            arguments.add("--setup-hook=mkdir -p \"$1\"/var/cache/apt/archives/");
            arguments.add("--setup-hook=sync-in " + aptCache + " /var/cache/apt/archives/");
            arguments.add("--customize-hook=sync-out /var/cache/apt/archives " + aptCache);
        }
        arguments.add(suite);
        arguments.add(target.toString());
        arguments.addAll(mirror.sourceLines(suite));
        return arguments;
    }

    /** {@code sha256:…} over everything that decides what the image holds. */
    String recipeDigest() {
        return Sha256.of(
                String.join("\n", contentOptions()) + "\n" + suite + "\n" + MOUNT_POINTS + "\n" + requiredFiles);
    }

    /**
     * Completes a root file system mmdebstrap made: creates the mount points (after mmdebstrap, whose clean-up
     * empties {@code /run}) and checks that the recipe's required files are there.
     */
    void finish(Path rootfs) throws IOException {
        for (String mountPoint : MOUNT_POINTS) {
            Files.createDirectories(rootfs.resolve(mountPoint));
        }
        Files.setAttribute(rootfs.resolve("tmp"), "unix:mode", 01777);
        for (String required : requiredFiles) {
            if (!Files.exists(rootfs.resolve(required), LinkOption.NOFOLLOW_LINKS)) {
                throw new SandboxException(
                        SandboxException.Kind.FAILED, "the image " + reference + " lacks /" + required);
            }
        }
    }

    /** How sandboxes run this image. {@code digest} identifies the content: the recipe and the installed versions. */
    ImageConfig imageConfig(String digest, Instant created, DebianMirror mirror) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LABEL_RECIPE, name);
        labels.put(LABEL_RECIPE_DIGEST, recipeDigest());
        labels.put("dev.moat.debian.suite", suite);
        labels.put("dev.moat.debian.mirror", mirror.uri());
        return new ImageConfig(ENV, WORKDIR, "", List.of(), labels, digest, created);
    }

    /** Whether {@code config} describes an image this recipe, as it is now, built. */
    boolean built(ImageConfig config) {
        return recipeDigest().equals(config.labels().get(LABEL_RECIPE_DIGEST));
    }
}
