package dev.moat.builder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The packages installed in a Debian root file system, read from its dpkg status file — what makes two builds of a
 * recipe the same image or not.
 */
record InstalledPackages(List<Package> packages) {

    /** One installed package. */
    record Package(String name, String version, String architecture) {

        /** The file apt keeps it in: {@code name_version_arch.deb}, with the version's {@code :} as {@code %3a}. */
        String archiveFileName() {
            return name + "_" + version.replace(":", "%3a") + "_" + architecture + ".deb";
        }
    }

    InstalledPackages {
        packages = List.copyOf(packages);
    }

    static InstalledPackages of(Path rootfs) throws IOException {
        List<Package> packages = new ArrayList<>();
        String status = Files.readString(rootfs.resolve("var/lib/dpkg/status"));
        for (String stanza : status.split("\n\n")) {
            Map<String, String> fields = new HashMap<>();
            for (String line : stanza.split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && !Character.isWhitespace(line.charAt(0))) {
                    fields.put(
                            line.substring(0, colon), line.substring(colon + 1).trim());
                }
            }
            if (fields.getOrDefault("Status", "").endsWith(" installed") && fields.containsKey("Package")) {
                packages.add(new Package(fields.get("Package"), fields.get("Version"), fields.get("Architecture")));
            }
        }
        packages.sort(java.util.Comparator.comparing(Package::name).thenComparing(Package::architecture));
        return new InstalledPackages(packages);
    }

    /** {@code name=version} per line, sorted: the input of the image digest. */
    String manifest() {
        StringBuilder manifest = new StringBuilder();
        packages.forEach(p -> manifest.append(p.name())
                .append(':')
                .append(p.architecture())
                .append('=')
                .append(p.version())
                .append('\n'));
        return manifest.toString();
    }
}
