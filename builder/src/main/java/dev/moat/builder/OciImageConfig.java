package dev.moat.builder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.moat.core.spi.SandboxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An image's configuration in the Docker / OCI JSON form ({@code config.Env}, {@code config.Entrypoint},
 * {@code rootfs.diff_ids}…), read when importing and written when exporting.
 *
 * @param image what Moat keeps of it: env, working directory, user, entrypoint (Entrypoint followed by Cmd), labels
 * @param diffIds the digests of the uncompressed layers, bottom first
 * @param os the operating system the image is for
 * @param architecture the processor architecture the image is for
 */
record OciImageConfig(ImageConfig image, List<String> diffIds, String os, String architecture) {

    /** Parses a config blob; {@code digest} and {@code created} go into the resulting {@link ImageConfig}. */
    static OciImageConfig parse(byte[] json, String digest, Instant created) {
        JsonNode root = ArchiveJson.parse(json, "the image configuration");
        if (!root.isObject()) {
            throw new SandboxException(
                    SandboxException.Kind.INVALID_SPEC, "the image configuration is not a JSON object");
        }
        JsonNode config = root.path("config");
        List<String> entrypoint = new ArrayList<>(strings(config.path("Entrypoint")));
        entrypoint.addAll(strings(config.path("Cmd")));
        Map<String, String> labels = new LinkedHashMap<>();
        config.path("Labels")
                .properties()
                .forEach(label -> labels.put(label.getKey(), label.getValue().asText()));
        ImageConfig image = new ImageConfig(
                strings(config.path("Env")),
                config.path("WorkingDir").asText(""),
                config.path("User").asText(""),
                entrypoint,
                labels,
                digest,
                created);
        return new OciImageConfig(
                image,
                strings(root.path("rootfs").path("diff_ids")),
                root.path("os").asText("linux"),
                root.path("architecture").asText(""));
    }

    /** The config blob for one layer whose uncompressed digest is {@code diffId}. */
    static byte[] forExport(ImageConfig image, String diffId, String createdBy) {
        ObjectNode root = ArchiveJson.MAPPER.createObjectNode();
        root.put("architecture", hostArchitecture());
        root.put("os", "linux");
        root.put(
                "created",
                image.created() == null
                        ? Instant.now().toString()
                        : image.created().toString());
        ObjectNode config = root.putObject("config");
        config.set("Env", array(image.env()));
        if (!image.entrypoint().isEmpty()) {
            config.set("Entrypoint", array(image.entrypoint()));
        }
        config.put("WorkingDir", image.workdir());
        config.put("User", image.user());
        ObjectNode labels = config.putObject("Labels");
        image.labels().forEach(labels::put);
        ObjectNode rootfs = root.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.set("diff_ids", array(List.of(diffId)));
        ObjectNode history = root.putArray("history").addObject();
        history.put("created", root.get("created").asText());
        history.put("created_by", createdBy);
        return ArchiveJson.bytes(root);
    }

    /** This JVM's processor architecture in the names images use ({@code amd64}, {@code arm64}…). */
    static String hostArchitecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> arch;
        };
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(value -> values.add(value.asText()));
        }
        return values;
    }

    private static ArrayNode array(List<String> values) {
        ArrayNode array = ArchiveJson.MAPPER.createArrayNode();
        values.forEach(array::add);
        return array;
    }
}
