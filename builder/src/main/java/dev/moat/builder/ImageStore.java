package dev.moat.builder;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.moat.core.spi.SandboxException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The local image store: {@code <root>/<name>/<tag>/} holds {@code rootfs/} and {@code image.json}. Names may have
 * slashes ({@code moat/base}); a reference without a tag means {@code latest}. An image is visible only once its
 * {@code image.json} exists, which is written last, so a half-written image is never used.
 *
 * <p>Changes go through an {@link ImageLock}: {@link #prepare} stages a new image next to its final place and
 * {@link #remove} deletes one. Directories whose names start with a dot are the store's own (locks, staging) and are
 * never images.
 */
public final class ImageStore {

    static final String CONFIG_FILE = "image.json";

    private static final int MAX_NAME_DEPTH = 8;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .findAndAddModules()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final Path root;

    public ImageStore(Path root) {
        this.root = root;
    }

    /** The store of a Moat home directory: {@code $MOAT_HOME/images}. */
    public static ImageStore inHome(Path moatHome) {
        return new ImageStore(moatHome.resolve("images"));
    }

    public Path root() {
        return root;
    }

    /** The image for {@code name[:tag]}, if the store has it. */
    public Optional<StoredImage> find(String reference) {
        return find(ImageReference.parse(reference));
    }

    /** The image for {@code reference}, if the store has it. */
    public Optional<StoredImage> find(ImageReference reference) {
        Path directory = directoryOf(reference);
        if (!isImage(directory)) {
            return Optional.empty();
        }
        return Optional.of(new StoredImage(
                reference.name(), reference.tag(), directory, readConfig(directory.resolve(CONFIG_FILE))));
    }

    /** The image for {@code name[:tag]}; an unknown image fails with a message that says how to get it. */
    public StoredImage require(String reference) {
        return require(ImageReference.parse(reference));
    }

    /** The image for {@code reference}; an unknown image fails with a message that says how to get it. */
    public StoredImage require(ImageReference reference) {
        return find(reference).orElseThrow(() -> notFound(reference));
    }

    /** Every complete image in the store, sorted by reference. */
    public List<StoredImage> list() {
        List<StoredImage> images = new ArrayList<>();
        try {
            collect(root, "", 0, images);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the image store " + root, e);
        }
        images.sort(Comparator.comparing(StoredImage::reference));
        return images;
    }

    /** Takes the lock of {@code reference} if no other thread or process holds it. */
    public Optional<ImageLock> tryLock(ImageReference reference) {
        return ImageLock.tryAcquire(reference, lockFile(reference));
    }

    /** Takes the lock of {@code reference}, waiting while another thread or process holds it. */
    public ImageLock lock(ImageReference reference) throws InterruptedException {
        return ImageLock.acquire(reference, lockFile(reference));
    }

    /**
     * Starts a new image for the locked reference, in a staging directory next to its final place. Leftovers of
     * earlier attempts that died (a killed process cannot clean up) are deleted first: holding the lock proves that
     * nobody works on them any more.
     */
    public PendingImage prepare(ImageLock lock) throws IOException {
        Path destination = directoryOf(lock.reference());
        Files.createDirectories(destination.getParent());
        deleteLeftovers(destination);
        Path staging = sideDirectory(destination, "staging");
        Files.createDirectories(staging.resolve("rootfs"));
        Files.setAttribute(staging.resolve("rootfs"), "unix:mode", 0755);
        return new PendingImage(lock, staging, destination);
    }

    /** Removes the locked image; an unknown image fails with {@link SandboxException.Kind#IMAGE_NOT_FOUND}. */
    public void remove(ImageLock lock) throws IOException {
        ImageReference reference = lock.reference();
        Path directory = directoryOf(reference);
        if (!isImage(directory)) {
            throw notFound(reference);
        }
        Path removed = sideDirectory(directory, "removed");
        Files.move(directory, removed, StandardCopyOption.ATOMIC_MOVE);
        TreeDeleter.delete(removed);
    }

    Path directoryOf(ImageReference ref) {
        return root.resolve(ref.name()).resolve(ref.tag());
    }

    /** A hidden sibling of an image directory for one step of its life: {@code .<tag>~<purpose>-<random>}. */
    static Path sideDirectory(Path imageDirectory, String purpose) {
        return imageDirectory.resolveSibling(
                "." + imageDirectory.getFileName() + "~" + purpose + "-" + UUID.randomUUID());
    }

    static ImageConfig readConfig(Path config) {
        try {
            return JSON.readValue(config.toFile(), ImageConfig.class);
        } catch (IOException e) {
            throw new SandboxException(
                    SandboxException.Kind.FAILED,
                    "image configuration " + config + " cannot be read: " + e.getMessage(),
                    e);
        }
    }

    static void writeConfig(Path config, ImageConfig value) throws IOException {
        Path temporary = config.resolveSibling(CONFIG_FILE + ".tmp");
        JSON.writeValue(temporary.toFile(), value);
        Files.move(temporary, config, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private SandboxException notFound(ImageReference reference) {
        return new SandboxException(
                SandboxException.Kind.IMAGE_NOT_FOUND,
                "image '" + reference + "' is not in the image store (" + root + "); " + hint(reference));
    }

    /** Walks name directories down to image directories, never into an image's root file system. */
    private void collect(Path directory, String name, int depth, List<StoredImage> images) throws IOException {
        if (depth > MAX_NAME_DEPTH || !Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(directory)) {
            for (Path child : children) {
                String component = child.getFileName().toString();
                if (component.startsWith(".")) {
                    continue;
                }
                if (!name.isEmpty() && isImage(child)) {
                    validReference(name, component)
                            .ifPresent(ref -> images.add(
                                    new StoredImage(name, component, child, readConfig(child.resolve(CONFIG_FILE)))));
                } else {
                    collect(child, name.isEmpty() ? component : name + "/" + component, depth + 1, images);
                }
            }
        }
    }

    private static Optional<ImageReference> validReference(String name, String tag) {
        try {
            return Optional.of(new ImageReference(name, tag));
        } catch (SandboxException notAnImageName) {
            return Optional.empty();
        }
    }

    private static boolean isImage(Path directory) {
        return Files.isRegularFile(directory.resolve(CONFIG_FILE), LinkOption.NOFOLLOW_LINKS)
                && Files.isDirectory(directory.resolve("rootfs"), LinkOption.NOFOLLOW_LINKS);
    }

    private static void deleteLeftovers(Path destination) throws IOException {
        String prefix = "." + destination.getFileName() + "~";
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(
                destination.getParent(), entry -> entry.getFileName().toString().startsWith(prefix))) {
            for (Path leftover : siblings) {
                TreeDeleter.delete(leftover);
            }
        }
    }

    private Path lockFile(ImageReference reference) {
        return root.resolve(".locks").resolve(reference.name().replace('/', '+') + ":" + reference.tag() + ".lock");
    }

    private static String hint(ImageReference ref) {
        if (ref.name().equals("moat/base")) {
            return "build it with: ./moat image build base";
        }
        return "import it with: ./moat image import FILE --name " + ref;
    }
}
