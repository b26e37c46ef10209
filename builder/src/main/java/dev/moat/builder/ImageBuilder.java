package dev.moat.builder;

import dev.moat.core.spi.SandboxException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds recipe images into a store: once — an image the current recipe built is up to date and returned at once —
 * under the image's lock, so that concurrent callers (several test JVMs) wait for one build instead of starting their
 * own, with visible progress, and all-or-nothing: a failed or interrupted build leaves nothing behind.
 */
public final class ImageBuilder {

    private final ImageStore store;
    private final Progress progress;

    public ImageBuilder(ImageStore store, Progress progress) {
        this.store = store;
        this.progress = progress;
    }

    /** What {@link #build} did. */
    public record Result(StoredImage image, boolean built) {}

    /** Builds {@code recipe}'s image unless the store has it from the same recipe; {@code force} builds anyway. */
    public Result build(DebianRecipe recipe, boolean force) throws InterruptedException {
        Optional<StoredImage> current = upToDate(recipe);
        if (current.isPresent() && !force) {
            return new Result(current.get(), false);
        }
        Optional<ImageLock> free = store.tryLock(recipe.reference());
        if (free.isEmpty()) {
            progress.report("another build of " + recipe.reference() + " is running; waiting for it to finish");
        }
        try (ImageLock lock = free.isPresent() ? free.get() : store.lock(recipe.reference())) {
            current = upToDate(recipe);
            if (current.isPresent() && (!force || free.isEmpty())) {
                return new Result(current.get(), false);
            }
            if (store.find(recipe.reference()).isPresent() && !force) {
                progress.report(recipe.reference() + " was built by an older recipe; rebuilding it");
            }
            return new Result(buildLocked(recipe, lock), true);
        } catch (IOException e) {
            throw new SandboxException(
                    SandboxException.Kind.FAILED,
                    "cannot build " + recipe.reference() + ": " + IoMessages.describe(e),
                    e);
        }
    }

    /** The log of the last build of {@code recipe}. */
    public Path logOf(DebianRecipe recipe) {
        return store.root()
                .resolve(".logs")
                .resolve(recipe.reference().name().replace('/', '+') + ":"
                        + recipe.reference().tag() + ".log");
    }

    private Optional<StoredImage> upToDate(DebianRecipe recipe) {
        return store.find(recipe.reference()).filter(image -> recipe.built(image.config()));
    }

    private StoredImage buildLocked(DebianRecipe recipe, ImageLock lock) throws IOException, InterruptedException {
        Mmdebstrap.requireInstalled();
        DebianMirror mirror = DebianMirror.ofHost(recipe.suite());
        mirror.note().ifPresent(progress::report);
        progress.report("building " + recipe.reference() + ": Debian " + recipe.suite() + " from " + mirror.uri()
                + " with " + String.join(", ", recipe.packages()));
        Path aptCache = store.root().resolveSibling("cache").resolve("apt");
        Files.createDirectories(aptCache);
        Instant start = Instant.now();
        try (PendingImage pending = store.prepare(lock)) {
            Mmdebstrap.run(
                    recipe.mmdebstrapArguments(mirror, pending.rootfs(), aptCache), pending, logOf(recipe), progress);
            recipe.finish(pending.rootfs());
            InstalledPackages installed = InstalledPackages.of(pending.rootfs());
            String digest = Sha256.of(recipe.recipeDigest() + "\n" + installed.manifest());
            StoredImage image = pending.commit(recipe.imageConfig(digest, Instant.now(), mirror));
            pruneCache(aptCache, installed);
            progress.report(String.format(
                    "built %s in %.1f s: %d packages, %d MB, %s",
                    image.reference(),
                    Duration.between(start, Instant.now()).toMillis() / 1000.0,
                    installed.packages().size(),
                    image.diskUsage() / 1_000_000,
                    digest));
            return image;
        }
    }

    /** Drops cached packages this build did not install: older versions would otherwise pile up forever. */
    private static void pruneCache(Path aptCache, InstalledPackages installed) throws IOException {
        Set<String> current = installed.packages().stream()
                .map(InstalledPackages.Package::archiveFileName)
                .collect(Collectors.toSet());
        try (DirectoryStream<Path> debs = Files.newDirectoryStream(aptCache, "*.deb")) {
            for (Path deb : debs) {
                if (!current.contains(deb.getFileName().toString())) {
                    Files.deleteIfExists(deb);
                }
            }
        }
    }
}
