package dev.moat.builder;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebianMirrorTest {

    @TempDir
    Path etcApt;

    @Test
    void deb822SourcesAreReadWithEverySuiteAndDisabledOnesLeftOut() throws Exception {
        Files.createDirectories(etcApt.resolve("sources.list.d"));
        Files.writeString(etcApt.resolve("sources.list.d/debian.sources"), """
                Types: deb deb-src
                # a comment
                URIs: http://mirror.example/debian/
                Suites: bookworm bookworm-updates
                Components: main contrib
                Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

                Types: deb
                URIs: http://security.example/debian-security
                Suites: bookworm-security
                Components: main

                Types: deb
                URIs: http://disabled.example/debian
                Suites: bookworm
                Enabled: no
                """);
        Files.writeString(
                etcApt.resolve("sources.list.d/node.sources.disabled-by-farm"), "Types: deb\nURIs: x\nSuites: y\n");

        assertThat(AptSource.readAll(etcApt))
                .containsExactly(
                        new AptSource("http://mirror.example/debian", "bookworm"),
                        new AptSource("http://mirror.example/debian", "bookworm-updates"),
                        new AptSource("http://security.example/debian-security", "bookworm-security"));
    }

    @Test
    void oneLineSourcesSkipOptionsSourcePackagesAndComments() throws Exception {
        Files.writeString(etcApt.resolve("sources.list"), """
                # deb http://commented.example/debian bookworm main
                deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main
                deb-src http://mirror.example/debian bookworm main
                deb http://deb.nodesource.com/node_20.x nodistro main
                """);

        assertThat(AptSource.readAll(etcApt))
                .containsExactly(
                        new AptSource("http://mirror.example/debian", "bookworm"),
                        new AptSource("http://deb.nodesource.com/node_20.x", "nodistro"));
    }

    @Test
    void hostMirrorForTheSuiteIsUsedWithItsUpdatesAndSecurity() {
        DebianMirror mirror = DebianMirror.select(
                List.of(
                        new AptSource("http://deb.nodesource.com/node_20.x", "nodistro"),
                        new AptSource("http://mirror.example/debian", "bookworm"),
                        new AptSource("http://mirror.example/debian", "bookworm-updates"),
                        new AptSource("http://security.example/debian-security", "bookworm-security")),
                "bookworm");

        assertThat(mirror.note()).isEmpty();
        assertThat(mirror.sourceLines("bookworm"))
                .containsExactly(
                        "deb http://mirror.example/debian bookworm main",
                        "deb http://mirror.example/debian bookworm-updates main",
                        "deb http://security.example/debian-security bookworm-security main");
    }

    @Test
    void hostOnAnotherReleaseLendsItsMirrorWithANote() {
        DebianMirror mirror =
                DebianMirror.select(List.of(new AptSource("http://mirror.example/debian", "trixie")), "bookworm");

        assertThat(mirror.uri()).isEqualTo("http://mirror.example/debian");
        assertThat(mirror.security()).isEmpty();
        assertThat(mirror.note()).hasValueSatisfying(note -> assertThat(note).contains("no apt source for bookworm"));
    }

    @Test
    void noDebianMirrorFallsBackToDebDebianOrgWithANote() {
        DebianMirror mirror =
                DebianMirror.select(List.of(new AptSource("http://archive.ubuntu.com/ubuntu", "jammy")), "bookworm");

        assertThat(mirror.sourceLines("bookworm"))
                .containsExactly(
                        "deb http://deb.debian.org/debian bookworm main",
                        "deb http://deb.debian.org/debian bookworm-updates main",
                        "deb http://deb.debian.org/debian-security bookworm-security main");
        assertThat(mirror.note())
                .isEqualTo(Optional.of(
                        "no Debian mirror is configured in /etc/apt; using " + "http://deb.debian.org/debian"));
    }

    @Test
    void thisHostsMirrorIsFound() {
        DebianMirror mirror = DebianMirror.ofHost("bookworm");

        assertThat(mirror.uri()).startsWith("http");
        assertThat(mirror.sourceLines("bookworm").getFirst()).endsWith(" bookworm main");
    }
}
