package dev.moat.builder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Debian mirror an image build downloads from: the host's configured one, so that a machine behind a local
 * mirror or proxy builds without reaching the internet, else {@code deb.debian.org}.
 *
 * @param uri the archive ({@code http://deb.debian.org/debian})
 * @param updates whether the host also uses {@code <suite>-updates} from it
 * @param security the security archive the host uses ({@code http://deb.debian.org/debian-security}), if any
 * @param note why this mirror was chosen, when it was not simply found in the host's configuration
 */
record DebianMirror(String uri, boolean updates, Optional<String> security, Optional<String> note) {

    static final String DEFAULT_URI = "http://deb.debian.org/debian";
    static final String DEFAULT_SECURITY_URI = "http://deb.debian.org/debian-security";

    /** The mirror for {@code suite} from this host's {@code /etc/apt}. */
    static DebianMirror ofHost(String suite) {
        return select(AptSource.readAll(Path.of("/etc/apt")), suite);
    }

    /**
     * A source for {@code suite} itself wins; else any Debian archive the host uses (a mirror serves every suite);
     * else {@link #DEFAULT_URI}. Security updates come from the host's {@code *-security} source, if it has one.
     */
    static DebianMirror select(List<AptSource> sources, String suite) {
        Optional<String> security = sources.stream()
                .filter(source -> source.suite().equals(suite + "-security"))
                .map(AptSource::uri)
                .findFirst()
                .or(() -> sources.stream()
                        .map(AptSource::uri)
                        .filter(uri -> uri.contains("debian-security"))
                        .findFirst());
        Optional<String> exact = sources.stream()
                .filter(source -> source.suite().equals(suite))
                .map(AptSource::uri)
                .findFirst();
        if (exact.isPresent()) {
            boolean updates = sources.contains(new AptSource(exact.get(), suite + "-updates"));
            return new DebianMirror(exact.get(), updates, security, Optional.empty());
        }
        Optional<String> anyDebian = sources.stream()
                .map(AptSource::uri)
                .filter(uri -> uri.matches("(?i)(https?|file)://.*debian.*") && !uri.contains("debian-security"))
                .findFirst();
        if (anyDebian.isPresent()) {
            return new DebianMirror(
                    anyDebian.get(),
                    true,
                    security,
                    Optional.of("this host has no apt source for " + suite + "; using its Debian mirror "
                            + anyDebian.get()));
        }
        return new DebianMirror(
                DEFAULT_URI,
                true,
                Optional.of(DEFAULT_SECURITY_URI),
                Optional.of("no Debian mirror is configured in /etc/apt; using " + DEFAULT_URI));
    }

    /** The {@code deb URI SUITE main} lines for mmdebstrap. */
    List<String> sourceLines(String suite) {
        List<String> lines = new ArrayList<>();
        lines.add("deb " + uri + " " + suite + " main");
        if (updates) {
            lines.add("deb " + uri + " " + suite + "-updates main");
        }
        security.ifPresent(archive -> lines.add("deb " + archive + " " + suite + "-security main"));
        return lines;
    }
}
