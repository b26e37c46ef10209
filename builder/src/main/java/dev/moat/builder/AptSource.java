package dev.moat.builder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One binary package source of this host's apt configuration: a mirror URI and a suite. Read from
 * {@code sources.list} and {@code sources.list.d/*.list} (one-line format) and {@code sources.list.d/*.sources}
 * (deb822); source-package ({@code deb-src}) and disabled entries are left out.
 */
record AptSource(String uri, String suite) {

    /** Every enabled {@code deb} source configured under {@code etcApt} (normally {@code /etc/apt}), in file order. */
    static List<AptSource> readAll(Path etcApt) {
        List<AptSource> sources = new ArrayList<>();
        try {
            Path list = etcApt.resolve("sources.list");
            if (Files.isRegularFile(list)) {
                sources.addAll(parseOneLine(Files.readString(list)));
            }
            Path directory = etcApt.resolve("sources.list.d");
            if (Files.isDirectory(directory)) {
                List<Path> files = new ArrayList<>();
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
                    entries.forEach(files::add);
                }
                files.sort(null);
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(".list")) {
                        sources.addAll(parseOneLine(Files.readString(file)));
                    } else if (name.endsWith(".sources")) {
                        sources.addAll(parseDeb822(Files.readString(file)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the apt sources in " + etcApt, e);
        }
        return sources;
    }

    /** {@code deb [options] URI SUITE [COMPONENT…]}, one per line. */
    static List<AptSource> parseOneLine(String text) {
        List<AptSource> sources = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = stripComment(raw).trim();
            if (!line.startsWith("deb ") && !line.startsWith("deb\t")) {
                continue;
            }
            String rest = line.substring(3).trim();
            if (rest.startsWith("[")) {
                int close = rest.indexOf(']');
                if (close < 0) {
                    continue;
                }
                rest = rest.substring(close + 1).trim();
            }
            String[] words = rest.split("\\s+");
            if (words.length >= 2) {
                sources.add(new AptSource(trimSlash(words[0]), words[1]));
            }
        }
        return sources;
    }

    /** Stanzas of {@code Field: value} lines separated by blank lines; every Types × URIs × Suites combination. */
    static List<AptSource> parseDeb822(String text) {
        List<AptSource> sources = new ArrayList<>();
        for (Map<String, String> stanza : stanzas(text)) {
            if (stanza.getOrDefault("enabled", "yes").equalsIgnoreCase("no")) {
                continue;
            }
            List<String> types = words(stanza.get("types"));
            if (!types.contains("deb")) {
                continue;
            }
            for (String uri : words(stanza.get("uris"))) {
                for (String suite : words(stanza.get("suites"))) {
                    sources.add(new AptSource(trimSlash(uri), suite));
                }
            }
        }
        return sources;
    }

    private static List<Map<String, String>> stanzas(String text) {
        List<Map<String, String>> stanzas = new ArrayList<>();
        Map<String, String> current = new LinkedHashMap<>();
        String lastField = null;
        for (String raw : (text + "\n\n").split("\n")) {
            if (raw.startsWith("#")) {
                continue;
            }
            if (raw.isBlank()) {
                if (!current.isEmpty()) {
                    stanzas.add(current);
                    current = new LinkedHashMap<>();
                }
                lastField = null;
            } else if (Character.isWhitespace(raw.charAt(0)) && lastField != null) {
                current.merge(lastField, " " + raw.trim(), String::concat);
            } else if (raw.indexOf(':') > 0) {
                lastField = raw.substring(0, raw.indexOf(':')).trim().toLowerCase(Locale.ROOT);
                current.put(lastField, raw.substring(raw.indexOf(':') + 1).trim());
            }
        }
        return stanzas;
    }

    private static List<String> words(String value) {
        return value == null || value.isBlank()
                ? List.of()
                : Arrays.asList(value.trim().split("\\s+"));
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash);
    }

    private static String trimSlash(String uri) {
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }
}
