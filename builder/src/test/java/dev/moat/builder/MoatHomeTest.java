package dev.moat.builder;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MoatHomeTest {

    private static final Path USER_HOME = Path.of("/home/someone");

    @Test
    void moatHomeComesFromTheEnvironment() {
        MoatHome home = MoatHome.fromEnvironment(Map.of("MOAT_HOME", "/srv/moat"), USER_HOME);

        assertThat(home.directory()).isEqualTo(Path.of("/srv/moat"));
        assertThat(home.images().root()).isEqualTo(Path.of("/srv/moat/images"));
    }

    @Test
    void unsetOrBlankMoatHomeMeansDotMoatInTheUsersHome() {
        assertThat(MoatHome.fromEnvironment(Map.of(), USER_HOME).directory()).isEqualTo(USER_HOME.resolve(".moat"));
        assertThat(MoatHome.fromEnvironment(Map.of("MOAT_HOME", "  "), USER_HOME)
                        .directory())
                .isEqualTo(USER_HOME.resolve(".moat"));
    }
}
