package dev.moat.builder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Image archives made in tests: docker-archives and OCI layouts around layers from {@link LayerBuilder}. */
final class TestArchives {

    static final ObjectMapper JSON = new ObjectMapper();

    private TestArchives() {}

    /** A config blob for {@code layers} (uncompressed tars) with the usual fields; {@code customize} may add more. */
    static byte[] config(List<byte[]> layers, Consumer<ObjectNode> customize) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("architecture", OciImageConfig.hostArchitecture());
        root.put("os", "linux");
        ObjectNode config = root.putObject("config");
        config.putArray("Env").add("PATH=/usr/local/bin:/usr/bin:/bin").add("GREETING=hello world");
        config.put("WorkingDir", "/srv/app");
        config.put("User", "1000:1000");
        config.putArray("Entrypoint").add("/bin/app");
        config.putArray("Cmd").add("--serve");
        config.putObject("Labels").put("org.example.team", "moat");
        ArrayNode diffIds = root.putObject("rootfs").put("type", "layers").putArray("diff_ids");
        layers.forEach(layer -> diffIds.add(Sha256.of(layer)));
        customize.accept(root);
        return JSON.writeValueAsBytes(root);
    }

    static byte[] config(List<byte[]> layers) throws IOException {
        return config(layers, root -> {});
    }

    /** A docker-archive as Docker before 25 saves it: {@code <id>/layer.tar}, {@code <config digest>.json}. */
    static Path dockerArchive(Path file, String repoTag, byte[] config, List<byte[]> layers) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(file))) {
            ObjectNode image = JSON.createObjectNode();
            String configName = Sha256.of(config).substring(7) + ".json";
            image.put("Config", configName);
            image.putArray("RepoTags").add(repoTag);
            ArrayNode layerNames = image.putArray("Layers");
            add(tar, configName, config);
            for (int i = 0; i < layers.size(); i++) {
                String name = "layer" + i + "id/layer.tar";
                add(tar, name, layers.get(i));
                layerNames.add(name);
            }
            add(
                    tar,
                    "manifest.json",
                    JSON.writeValueAsBytes(JSON.createArrayNode().add(image)));
        }
        return file;
    }

    /**
     * An OCI image layout in {@code directory}: gzip-compressed layers, a manifest, and an index.json that — when
     * {@code nested} — points at a multi-platform index holding this image and one for another platform.
     */
    static Path ociLayout(Path directory, byte[] config, List<byte[]> layers, boolean nested) throws IOException {
        Files.createDirectories(directory.resolve("blobs/sha256"));
        Files.writeString(directory.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.set("config", descriptor("application/vnd.oci.image.config.v1+json", blob(directory, config)));
        ArrayNode layerDescriptors = manifest.putArray("layers");
        for (byte[] layer : layers) {
            layerDescriptors.add(
                    descriptor("application/vnd.oci.image.layer.v1.tar+gzip", blob(directory, gzip(layer))));
        }
        ObjectNode imageDescriptor = descriptor(
                "application/vnd.oci.image.manifest.v1+json", blob(directory, JSON.writeValueAsBytes(manifest)));
        imageDescriptor.putObject("platform").put("os", "linux").put("architecture", OciImageConfig.hostArchitecture());
        ObjectNode top = JSON.createObjectNode().put("schemaVersion", 2);
        if (nested) {
            ObjectNode other =
                    descriptor("application/vnd.oci.image.manifest.v1+json", blob(directory, "{}".getBytes()));
            other.putObject("platform").put("os", "linux").put("architecture", "s390x");
            ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2);
            index.put("mediaType", "application/vnd.oci.image.index.v1+json");
            index.putArray("manifests").add(other).add(imageDescriptor);
            ObjectNode indexDescriptor = descriptor(
                    "application/vnd.oci.image.index.v1+json", blob(directory, JSON.writeValueAsBytes(index)));
            indexDescriptor.putObject("annotations").put("org.opencontainers.image.ref.name", "latest");
            top.putArray("manifests").add(indexDescriptor);
        } else {
            top.putArray("manifests").add(imageDescriptor);
        }
        Files.write(directory.resolve("index.json"), JSON.writeValueAsBytes(top));
        return directory;
    }

    /** Packs a directory (an OCI layout) into a tar file. */
    static Path tarOf(Path directory, Path file) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(file));
                Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.filter(Files::isRegularFile).sorted().toList()) {
                add(tar, directory.relativize(path).toString(), Files.readAllBytes(path));
            }
        }
        return file;
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gzip = new GzipCompressorOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    /** The paths of a tree, relative, sorted, directories with a trailing slash. */
    static List<String> listing(Path root) throws IOException {
        List<String> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted().toList()) {
                if (!path.equals(root)) {
                    String name = root.relativize(path).toString();
                    paths.add(Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? name + "/" : name);
                }
            }
        }
        return paths;
    }

    private record Blob(String digest, long size) {}

    private static Blob blob(Path directory, byte[] content) throws IOException {
        String digest = Sha256.of(content);
        Files.write(directory.resolve("blobs/sha256").resolve(digest.substring(7)), content);
        return new Blob(digest, content.length);
    }

    private static ObjectNode descriptor(String mediaType, Blob blob) {
        return JSON.createObjectNode()
                .put("mediaType", mediaType)
                .put("digest", blob.digest())
                .put("size", blob.size());
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
