package dev.moat.backend.oci;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.moat.core.spi.SandboxException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The local image store: {@code <root>/<name>/<tag>/} holds {@code rootfs/} and {@code image.json}. Names may have
 * slashes ({@code moat/base}); a reference without a tag means {@code latest}. An image is visible only once its
 * {@code image.json} exists, which is written last, so a half-written image is never used.
 */
public final class ImageStore {

    static final String CONFIG_FILE = "image.json";

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

    public Path root() {
        return root;
    }

    /** The image for {@code name[:tag]}, if the store has it. */
    public Optional<StoredImage> find(String reference) {
        ImageReference ref = ImageReference.parse(reference);
        Path directory = directoryOf(ref);
        Path config = directory.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(config) || !Files.isDirectory(directory.resolve("rootfs"))) {
            return Optional.empty();
        }
        return Optional.of(new StoredImage(ref.name(), ref.tag(), directory, readConfig(config)));
    }

    /** The image for {@code name[:tag]}; an unknown image fails with a message that says how to get it. */
    public StoredImage require(String reference) {
        return find(reference)
                .orElseThrow(() -> new SandboxException(
                        SandboxException.Kind.IMAGE_NOT_FOUND,
                        "image '" + ImageReference.parse(reference) + "' is not in the image store (" + root + "); "
                                + hint(ImageReference.parse(reference))));
    }

    /** Every complete image in the store, sorted by reference. */
    public List<StoredImage> list() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<StoredImage> images = new ArrayList<>();
        try (Stream<Path> configs = Files.find(
                root,
                8,
                (path, attributes) -> attributes.isRegularFile()
                        && path.getFileName().toString().equals(CONFIG_FILE))) {
            for (Path config : configs.toList()) {
                Path directory = config.getParent();
                Path relative = root.relativize(directory);
                if (relative.getNameCount() < 2 || !Files.isDirectory(directory.resolve("rootfs"))) {
                    continue;
                }
                String tag = relative.getFileName().toString();
                String name = relative.getParent().toString().replace('\\', '/');
                images.add(new StoredImage(name, tag, directory, readConfig(config)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the image store " + root, e);
        }
        images.sort(Comparator.comparing(StoredImage::reference));
        return images;
    }

    Path directoryOf(ImageReference ref) {
        return root.resolve(ref.name()).resolve(ref.tag());
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
        Files.move(
                temporary,
                config,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static String hint(ImageReference ref) {
        if (ref.name().equals("moat/base")) {
            return "build it with: ./moat image build base";
        }
        return "import it with: ./moat image import FILE --name " + ref;
    }
}
