package dev.moat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {

    @TempDir
    Path directory;

    private static ServerConfig config(Map<String, String> values) {
        return ServerConfig.from(ConfigSource.of(values));
    }

    @Test
    void defaultsAreTheAgentScopeOnesWithTheOciBackend() {
        ServerConfig config = config(Map.of());
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(8000);
        assertThat(config.deployment()).isEqualTo("oci");
        assertThat(config.pooledTypes()).containsExactly("base");
        assertThat(config.poolSize()).isEqualTo(1);
        assertThat(config.autoCleanup()).isTrue();
        assertThat(config.maxSandboxInstances()).isZero();
        assertThat(config.idPrefix()).isEqualTo("agent-runtime-container-");
        assertThat(config.admissionWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.bearerToken()).isEmpty();
        assertThat(config.moatHome()).isEqualTo(Path.of(System.getProperty("user.home"), ".moat"));
    }

    @Test
    void sandboxTypesAcceptOneACommaListOrAJsonList() {
        assertThat(config(Map.of("DEFAULT_SANDBOX_TYPE", "base")).pooledTypes()).containsExactly("base");
        assertThat(config(Map.of("DEFAULT_SANDBOX_TYPE", "base, gui")).pooledTypes())
                .containsExactly("base", "gui");
        assertThat(config(Map.of("DEFAULT_SANDBOX_TYPE", "[\"base\",\"gui\"]")).pooledTypes())
                .containsExactly("base", "gui");
    }

    @Test
    void badValueStopsStartUpNamingTheKey() {
        assertThatThrownBy(() -> config(Map.of("POOL_SIZE", "many")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("POOL_SIZE='many'")
                .hasMessageContaining("whole number");
        assertThatThrownBy(() -> config(Map.of("AUTO_CLEANUP", "perhaps"))).hasMessageContaining("AUTO_CLEANUP");
        assertThatThrownBy(() -> config(Map.of("PORT", "70000"))).hasMessageContaining("PORT");
        assertThatThrownBy(() -> config(Map.of("READONLY_MOUNTS", "{not json")))
                .hasMessageContaining("READONLY_MOUNTS");
        assertThatThrownBy(() -> config(Map.of("PORT_RANGE", "[9,1]"))).hasMessageContaining("PORT_RANGE");
        assertThatThrownBy(() -> config(Map.of("CONTAINER_PREFIX_KEY", "Bad_Prefix")))
                .hasMessageContaining("CONTAINER_PREFIX_KEY");
    }

    @Test
    void backendsThatAreNotAvailableAreRefusedClearly() {
        assertThatThrownBy(() -> config(Map.of("CONTAINER_DEPLOYMENT", "k8s")))
                .hasMessageContaining("CONTAINER_DEPLOYMENT")
                .hasMessageContaining("not available yet");
        assertThatThrownBy(() -> config(Map.of("CONTAINER_DEPLOYMENT", "vmware")))
                .hasMessageContaining("expected one of");
        assertThat(config(Map.of("CONTAINER_DEPLOYMENT", "gvisor")).deployment())
                .isEqualTo("gvisor");
    }

    @Test
    void nonLoopbackHostNeedsATokenUnlessExplicitlyAllowed() {
        assertThatThrownBy(() -> config(Map.of("HOST", "0.0.0.0")))
                .hasMessageContaining("BEARER_TOKEN")
                .hasMessageContaining("MOAT_ALLOW_UNAUTHENTICATED");
        assertThat(config(Map.of("HOST", "0.0.0.0", "BEARER_TOKEN", "t")).bearerToken())
                .contains("t");
        assertThat(config(Map.of("HOST", "0.0.0.0", "MOAT_ALLOW_UNAUTHENTICATED", "True"))
                        .host())
                .isEqualTo("0.0.0.0");
        assertThat(config(Map.of("HOST", "::1")).host()).isEqualTo("::1");
    }

    @Test
    void moreWorkersNeedRedisWhichIsNotAvailableYet() {
        assertThatThrownBy(() -> config(Map.of("WORKERS", "4"))).hasMessageContaining("REDIS_ENABLED");
        assertThatThrownBy(() -> config(Map.of("REDIS_ENABLED", "True"))).hasMessageContaining("not available");
    }

    @Test
    void environmentWinsOverDotEnvWhichWinsOverTheConfigFile() throws Exception {
        Path file = Files.writeString(directory.resolve("moat.conf"), "PORT=7000\nPOOL_SIZE=3\nDEBUG=True\n");
        Path dotEnv = Files.writeString(
                directory.resolve(".env"), "# comment\nexport POOL_SIZE=4\nMAX_SANDBOX_INSTANCES='9'\n\n");
        Map<String, String> environment = new HashMap<>(Map.of("MAX_SANDBOX_INSTANCES", "12", "PATH", "/bin"));

        ServerConfig config = ServerConfig.from(ConfigSource.load(Optional.of(file), dotEnv, environment));

        assertThat(config.port()).isEqualTo(7000);
        assertThat(config.poolSize()).isEqualTo(4);
        assertThat(config.maxSandboxInstances()).isEqualTo(12);
        assertThat(config.debug()).isTrue();
    }

    @Test
    void aBadLineInAFileNamesTheFileAndLine() throws Exception {
        Path file = Files.writeString(directory.resolve("bad.env"), "PORT=1\nthis is not a setting\n");
        assertThatThrownBy(() -> ConfigSource.load(Optional.of(file), directory.resolve("none"), Map.of()))
                .hasMessageContaining("bad.env line 2");
        assertThatThrownBy(() -> ConfigSource.load(Optional.of(directory.resolve("missing")), file, Map.of()))
                .hasMessageContaining("no such file");
    }

    @Test
    void readonlyMountsAndAllowedHostPathsAreChecked() throws Exception {
        Path data = Files.createDirectories(directory.resolve("data"));
        ServerConfig config = config(Map.of(
                "READONLY_MOUNTS", "{\"" + data + "\": \"/data\"}", "MOAT_ALLOWED_HOST_PATHS", directory.toString()));
        assertThat(config.readonlyMounts()).singleElement().satisfies(mount -> {
            assertThat(mount.source()).isEqualTo(data);
            assertThat(mount.target()).isEqualTo("/data");
            assertThat(mount.readOnly()).isTrue();
        });
        assertThat(config.allowedHostPaths()).containsExactly(directory);
        assertThatThrownBy(() -> config(Map.of("READONLY_MOUNTS", "{\"/no/such/dir\": \"/data\"}")))
                .hasMessageContaining("must exist");
        assertThatThrownBy(() -> config(Map.of("MOAT_ALLOWED_HOST_PATHS", "relative/path")))
                .hasMessageContaining("not an absolute path");
    }

    @Test
    void readmeDocumentsEverySettingWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (Setting setting : Setting.values()) {
            String row = "| `" + setting.name() + "` | "
                    + (setting.defaultValue().isEmpty() ? "" : "`" + setting.defaultValue() + "`") + " |";
            assertThat(readme).as("README row for " + setting).contains(row);
        }
        assertThat(List.of(Setting.values())).hasSizeGreaterThan(40);
    }
}
