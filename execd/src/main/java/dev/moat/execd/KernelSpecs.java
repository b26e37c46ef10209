package dev.moat.execd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moat.http.Json;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Jupyter kernels installed on this machine, found where Jupyter looks for them: each directory of
 * {@code JUPYTER_PATH}, the user's data directory ({@code JUPYTER_DATA_DIR} or {@code ~/.local/share/jupyter}), then
 * {@code /usr/local/share/jupyter} and {@code /usr/share/jupyter}, each with a {@code kernels/<name>/kernel.json}. A
 * kernel name found earlier hides the same name later, as in Jupyter.
 *
 * <p>A language given by a client resolves to a kernel by its {@code language} (case-insensitive; {@code python3} is
 * preferred among several Python kernels) or by the kernel's name. Successful resolutions are remembered; an unknown
 * language rescans the disk, so a kernel installed while execd runs is found.
 */
final class KernelSpecs {

    private static final Logger LOG = Logger.getLogger(KernelSpecs.class.getName());

    private final List<Path> roots;
    private final Map<String, KernelSpec> resolved = new ConcurrentHashMap<>();

    KernelSpecs(List<Path> roots) {
        this.roots = List.copyOf(roots);
    }

    /** The search path Jupyter uses, from the given environment. */
    static KernelSpecs fromEnvironment(Map<String, String> environment) {
        List<Path> roots = new ArrayList<>();
        String jupyterPath = environment.getOrDefault("JUPYTER_PATH", "");
        for (String entry : jupyterPath.split(":")) {
            if (!entry.isBlank()) {
                roots.add(Path.of(entry, "kernels"));
            }
        }
        String dataDir = environment.get("JUPYTER_DATA_DIR");
        if (dataDir != null && !dataDir.isBlank()) {
            roots.add(Path.of(dataDir, "kernels"));
        } else {
            String home = environment.getOrDefault("HOME", System.getProperty("user.home"));
            roots.add(Path.of(home, ".local", "share", "jupyter", "kernels"));
        }
        roots.add(Path.of("/usr/local/share/jupyter/kernels"));
        roots.add(Path.of("/usr/share/jupyter/kernels"));
        return new KernelSpecs(roots);
    }

    /** The kernel for a language or kernel name, if one is installed. */
    Optional<KernelSpec> resolve(String language) {
        String key = language.trim().toLowerCase(Locale.ROOT);
        KernelSpec known = resolved.get(key);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<KernelSpec> found = pick(key, scan());
        found.ifPresent(spec -> resolved.put(key, spec));
        return found;
    }

    /** The languages that have a kernel, for error messages: {@code python (python3), R (ir)}. */
    String describeAvailable() {
        List<KernelSpec> specs = scan();
        if (specs.isEmpty()) {
            return "none: no kernelspec is installed under " + roots
                    + " (install one, e.g. apt-get install python3-ipykernel)";
        }
        TreeSet<String> names = new TreeSet<>();
        for (KernelSpec spec : specs) {
            names.add(spec.language() + " (" + spec.name() + ")");
        }
        return String.join(", ", names);
    }

    private static Optional<KernelSpec> pick(String key, List<KernelSpec> specs) {
        List<KernelSpec> byLanguage = specs.stream()
                .filter(spec -> spec.language().equalsIgnoreCase(key))
                .toList();
        if (!byLanguage.isEmpty()) {
            return byLanguage.stream().min(Comparator.comparing((KernelSpec spec) -> preference(spec, key)));
        }
        return specs.stream().filter(spec -> spec.name().equalsIgnoreCase(key)).findFirst();
    }

    /** Lower is better: the standard python3 kernel, then a kernel named like the language, then search order. */
    private static int preference(KernelSpec spec, String language) {
        if (spec.name().equals("python3")) {
            return 0;
        }
        return spec.name().equalsIgnoreCase(language) ? 1 : 2;
    }

    /** Every installed kernel, in search-path order. */
    List<KernelSpec> scan() {
        Map<String, KernelSpec> byName = new LinkedHashMap<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (DirectoryStream<Path> kernels = Files.newDirectoryStream(root)) {
                List<Path> sorted = new ArrayList<>();
                kernels.forEach(sorted::add);
                sorted.sort(Comparator.naturalOrder());
                for (Path directory : sorted) {
                    String name = directory.getFileName().toString().toLowerCase(Locale.ROOT);
                    if (!byName.containsKey(name)) {
                        read(name, directory).ifPresent(spec -> byName.put(name, spec));
                    }
                }
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot list kernelspecs in " + root + ": " + e.getMessage());
            }
        }
        return List.copyOf(byName.values());
    }

    private static Optional<KernelSpec> read(String name, Path directory) {
        Path file = directory.resolve("kernel.json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode json = Json.mapper().readTree(file.toFile());
            List<String> argv = new ArrayList<>();
            json.path("argv").forEach(arg -> argv.add(arg.asText()));
            String language = json.path("language").asText("");
            if (argv.isEmpty() || language.isEmpty()) {
                LOG.warning("ignoring kernelspec " + file + ": it has no argv or no language");
                return Optional.empty();
            }
            Map<String, String> env = new LinkedHashMap<>();
            json.path("env")
                    .properties()
                    .forEach(e -> env.put(e.getKey(), e.getValue().asText()));
            KernelSpec.InterruptMode mode =
                    "message".equals(json.path("interrupt_mode").asText())
                            ? KernelSpec.InterruptMode.MESSAGE
                            : KernelSpec.InterruptMode.SIGNAL;
            return Optional.of(
                    new KernelSpec(name, json.path("display_name").asText(name), language, argv, env, mode, directory));
        } catch (IOException e) {
            LOG.warning("ignoring kernelspec " + file + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
