package dev.moat.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.moat.protocol.CodeContext;
import dev.moat.protocol.CommandStatus;
import dev.moat.protocol.CreateSandboxRequest;
import dev.moat.protocol.Endpoint;
import dev.moat.protocol.ExecEvent;
import dev.moat.protocol.FileInfo;
import dev.moat.protocol.FileMetadata;
import dev.moat.protocol.ImageSpec;
import dev.moat.protocol.ListSandboxesResponse;
import dev.moat.protocol.Metrics;
import dev.moat.protocol.PaginationInfo;
import dev.moat.protocol.Permission;
import dev.moat.protocol.PlatformSpec;
import dev.moat.protocol.RenameFileItem;
import dev.moat.protocol.RenewExpiration;
import dev.moat.protocol.ReplaceFileContentItem;
import dev.moat.protocol.RunCodeRequest;
import dev.moat.protocol.RunCommandRequest;
import dev.moat.protocol.RunInSessionRequest;
import dev.moat.protocol.SandboxResource;
import dev.moat.protocol.SandboxState;
import dev.moat.protocol.SandboxStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The SDK's own JSON against Moat's protocol records, which follow the OpenSandbox specs field by field: what the SDK
 * writes, Jackson must read into the records without a single unknown member; what Jackson writes from the records,
 * the SDK must read back with every value intact.
 */
class WireCompatibilityTest {

    private static final ObjectMapper JACKSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    @Test
    void createRequestMatchesCreateSandboxRequest() throws Exception {
        Map<String, Object> request = Sandbox.builder(ConnectionConfig.of("http://127.0.0.1:1"))
                .image("registry.example/team/python:3.12", "robot", "s3cret")
                .env("PYTHONUNBUFFERED", "1")
                .metadata("project", "apollo")
                .resource("cpu", "500m")
                .resource("memory", "512Mi")
                .timeout(Duration.ofSeconds(90).plusMillis(1))
                .entrypoint("python", "/app/main.py")
                .platform("linux", "amd64")
                .extension("access.renew.extend.seconds", "600")
                .request();

        CreateSandboxRequest read = JACKSON.readValue(Json.write(request), CreateSandboxRequest.class);

        assertThat(read.image())
                .isEqualTo(
                        new ImageSpec("registry.example/team/python:3.12", new ImageSpec.ImageAuth("robot", "s3cret")));
        assertThat(read.timeout()).isEqualTo(91L);
        assertThat(read.env()).isEqualTo(Map.of("PYTHONUNBUFFERED", "1"));
        assertThat(read.metadata()).isEqualTo(Map.of("project", "apollo"));
        assertThat(read.resourceLimits()).isEqualTo(Map.of("cpu", "500m", "memory", "512Mi"));
        assertThat(read.entrypoint()).containsExactly("python", "/app/main.py");
        assertThat(read.platform()).isEqualTo(new PlatformSpec("linux", "amd64"));
        assertThat(read.extensions()).isEqualTo(Map.of("access.renew.extend.seconds", "600"));
    }

    @Test
    void aMinimalCreateRequestAsksForTheKeepAliveEntrypointAndTenMinutes() throws Exception {
        Map<String, Object> request = Sandbox.builder(ConnectionConfig.of("http://127.0.0.1:1"))
                .image("base")
                .request();

        CreateSandboxRequest read = JACKSON.readValue(Json.write(request), CreateSandboxRequest.class);

        assertThat(read.image()).isEqualTo(ImageSpec.of("base"));
        assertThat(read.entrypoint()).containsExactly("tail", "-f", "/dev/null");
        assertThat(read.timeout()).isEqualTo(600L);
        assertThat(read.resourceLimits()).isNull();
        assertThat(Sandbox.builder(ConnectionConfig.of("http://127.0.0.1:1"))
                        .image("base")
                        .noTimeout()
                        .request())
                .doesNotContainKey("timeout");
    }

    @Test
    void sandboxResourceReadsIntoSandboxInfo() throws Exception {
        SandboxResource resource = new SandboxResource(
                "sbx-1",
                ImageSpec.of("moat/base:latest"),
                null,
                new PlatformSpec("linux", "arm64"),
                new SandboxStatus(
                        SandboxState.Failed, "runtime_error", "the image has no shell", "2030-01-01T00:00:01Z"),
                Map.of("team", "ml"),
                List.of("tail", "-f", "/dev/null"),
                "2030-01-01T01:00:00Z",
                "2030-01-01T00:00:00.123456Z");

        SandboxInfo info = SandboxInfo.read(Json.parse(JACKSON.writeValueAsString(resource)));

        assertThat(info.id()).isEqualTo("sbx-1");
        assertThat(info.image()).hasValue("moat/base:latest");
        assertThat(info.snapshotId()).isEmpty();
        assertThat(info.platform()).hasValue(new Platform("linux", "arm64"));
        assertThat(info.state()).isEqualTo(dev.moat.sdk.SandboxState.FAILED);
        assertThat(info.status().reason()).hasValue("runtime_error");
        assertThat(info.status().message()).hasValue("the image has no shell");
        assertThat(info.status().lastTransitionAt()).hasValue(Instant.parse("2030-01-01T00:00:01Z"));
        assertThat(info.status().describe()).isEqualTo("Failed (runtime_error: the image has no shell)");
        assertThat(info.metadata()).isEqualTo(Map.of("team", "ml"));
        assertThat(info.entrypoint()).containsExactly("tail", "-f", "/dev/null");
        assertThat(info.expiresAt()).hasValue(Instant.parse("2030-01-01T01:00:00Z"));
        assertThat(info.createdAt()).isEqualTo(Instant.parse("2030-01-01T00:00:00.123456Z"));
    }

    @Test
    void aSandboxThatNeverExpiresAndAnUnknownStateReadFine() throws Exception {
        String json = JACKSON.writeValueAsString(new SandboxResource(
                        "sbx-2",
                        null,
                        null,
                        null,
                        new SandboxStatus(SandboxState.Running, null, null, null),
                        null,
                        List.of(),
                        null,
                        "2030-01-01T00:00:00Z"))
                .replace("\"Running\"", "\"Hibernating\"");

        SandboxInfo info = SandboxInfo.read(Json.parse(json));

        assertThat(info.expiresAt()).isEmpty();
        assertThat(info.image()).isEmpty();
        assertThat(info.state()).isEqualTo(dev.moat.sdk.SandboxState.UNKNOWN);
        assertThat(info.status().stateName()).isEqualTo("Hibernating");
    }

    @Test
    void listAnswerReadsIntoAPage() throws Exception {
        SandboxResource item = new SandboxResource(
                "sbx-3",
                ImageSpec.of("base"),
                null,
                null,
                new SandboxStatus(SandboxState.Paused, null, null, null),
                Map.of(),
                List.of(),
                null,
                "2030-01-01T00:00:00Z");
        ListSandboxesResponse response = new ListSandboxesResponse(List.of(item), new PaginationInfo(2, 1, 3, 3, true));

        SandboxPage page = SandboxPage.read(Json.parse(JACKSON.writeValueAsString(response)));

        assertThat(page.items()).extracting(SandboxInfo::id).containsExactly("sbx-3");
        assertThat(page.items().get(0).state()).isEqualTo(dev.moat.sdk.SandboxState.PAUSED);
        assertThat(page)
                .extracting(
                        SandboxPage::page,
                        SandboxPage::pageSize,
                        SandboxPage::totalItems,
                        SandboxPage::totalPages,
                        SandboxPage::hasNextPage)
                .containsExactly(2, 1, 3, 3, true);
    }

    @Test
    void endpointAndRenewalReadBothWays() throws Exception {
        dev.moat.sdk.Endpoint endpoint = dev.moat.sdk.Endpoint.read(Json.parse(JACKSON.writeValueAsString(
                new Endpoint("127.0.0.1:8000/sandboxes/sbx-1/proxy/44772", Map.of("X-Token", "t")))));
        assertThat(endpoint.endpoint()).isEqualTo("127.0.0.1:8000/sandboxes/sbx-1/proxy/44772");
        assertThat(endpoint.headers()).containsEntry("X-Token", "t");
        assertThat(endpoint.url("http").toString()).isEqualTo("http://127.0.0.1:8000/sandboxes/sbx-1/proxy/44772");

        Map<String, Object> renewal = Map.of("expiresAt", Times.format(Instant.parse("2030-01-01T00:00:00Z")));
        assertThat(JACKSON.readValue(Json.write(renewal), RenewExpiration.class).expiresAt())
                .isEqualTo("2030-01-01T00:00:00Z");
    }

    @Test
    void everyExecEventVariantReadsIntoTheSdkEvent() throws Exception {
        List<dev.moat.protocol.ExecEvent> sent = List.of(
                new ExecEvent.Init("cmd-1", 1),
                new ExecEvent.Status("idle", 2),
                new ExecEvent.Stdout("out", 3),
                new ExecEvent.Stderr("err", 4),
                new ExecEvent.Result(Map.of("text/plain", "2", "application/json", Map.of("a", 1)), 7, 5),
                new ExecEvent.ExecutionCount(7, 6),
                new ExecEvent.Ping("pong", 7),
                new ExecEvent.Error(
                        new ExecEvent.ErrorDetail(
                                "ZeroDivisionError", "division by zero", List.of("Traceback", "ZeroDivisionError")),
                        8),
                new ExecEvent.Complete(99, 9));

        StringBuilder stream = new StringBuilder();
        for (dev.moat.protocol.ExecEvent event : sent) {
            stream.append(JACKSON.writerFor(dev.moat.protocol.ExecEvent.class).writeValueAsString(event))
                    .append("\n\n");
        }
        List<dev.moat.sdk.ExecEvent> read = EventStreamReaderTest.readAll(stream.toString());

        assertThat(read)
                .containsExactly(
                        new dev.moat.sdk.ExecEvent.Init("cmd-1", Instant.ofEpochMilli(1)),
                        new dev.moat.sdk.ExecEvent.Status("idle", Instant.ofEpochMilli(2)),
                        new dev.moat.sdk.ExecEvent.Stdout("out", Instant.ofEpochMilli(3)),
                        new dev.moat.sdk.ExecEvent.Stderr("err", Instant.ofEpochMilli(4)),
                        new dev.moat.sdk.ExecEvent.Result(
                                new ExecutionResult(Map.of("text/plain", "2", "application/json", Map.of("a", 1L))),
                                OptionalInt.of(7),
                                Instant.ofEpochMilli(5)),
                        new dev.moat.sdk.ExecEvent.ExecutionCount(7, Instant.ofEpochMilli(6)),
                        new dev.moat.sdk.ExecEvent.Ping(Instant.ofEpochMilli(7)),
                        new dev.moat.sdk.ExecEvent.Error(
                                new ExecutionError(
                                        "ZeroDivisionError",
                                        "division by zero",
                                        List.of("Traceback", "ZeroDivisionError")),
                                Instant.ofEpochMilli(8)),
                        new dev.moat.sdk.ExecEvent.Complete(Duration.ofMillis(99), Instant.ofEpochMilli(9)));
    }

    @Test
    void commandRequestsMatchRunCommandRequest() throws Exception {
        CommandOptions options = CommandOptions.defaults()
                .withCwd("/workspace")
                .withEnv("A", "1")
                .withTimeout(Duration.ofSeconds(30))
                .withUser(1000, 100);

        assertThat(JACKSON.readValue(Json.write(options.commandRequest("ls -la", true)), RunCommandRequest.class))
                .isEqualTo(new RunCommandRequest("ls -la", "/workspace", true, 30_000L, 1000, 100, Map.of("A", "1")));
        assertThat(JACKSON.readValue(
                        Json.write(CommandOptions.defaults().commandRequest("true", false)), RunCommandRequest.class))
                .isEqualTo(new RunCommandRequest("true", null, false, null, null, null, null));
        assertThat(JACKSON.readValue(
                        Json.write(CommandOptions.defaults()
                                .withCwd("/tmp")
                                .withTimeout(Duration.ofMillis(1500))
                                .sessionRequest("pwd")),
                        RunInSessionRequest.class))
                .isEqualTo(new RunInSessionRequest("pwd", "/tmp", 1500L));
    }

    @Test
    void codeRequestsAndContextsMatchTheRecords() throws Exception {
        dev.moat.sdk.CodeContext context = new dev.moat.sdk.CodeContext(Optional.of("ctx-1"), "python");
        assertThat(JACKSON.readValue(Json.write(Code.runRequest("1+1", context)), RunCodeRequest.class))
                .isEqualTo(new RunCodeRequest(new CodeContext("ctx-1", "python"), "1+1"));
        assertThat(JACKSON.readValue(
                        Json.write(Code.runRequest("x", dev.moat.sdk.CodeContext.defaultFor("bash"))),
                        RunCodeRequest.class))
                .isEqualTo(new RunCodeRequest(new CodeContext(null, "bash"), "x"));
        assertThat(dev.moat.sdk.CodeContext.read(
                        Json.parse(JACKSON.writeValueAsString(new CodeContext("ctx-2", "python")))))
                .isEqualTo(new dev.moat.sdk.CodeContext(Optional.of("ctx-2"), "python"));
    }

    @Test
    void commandStatusReadsWhetherRunningOrFinished() throws Exception {
        dev.moat.sdk.CommandStatus running = dev.moat.sdk.CommandStatus.read(Json.parse(JACKSON.writeValueAsString(
                new CommandStatus("cmd-1", "sleep 9", true, null, null, "2030-01-01T00:00:00Z", null))));
        assertThat(running.running()).isTrue();
        assertThat(running.exitCode()).isEmpty();
        assertThat(running.finishedAt()).isEmpty();
        assertThat(running.startedAt()).hasValue(Instant.parse("2030-01-01T00:00:00Z"));

        dev.moat.sdk.CommandStatus done =
                dev.moat.sdk.CommandStatus.read(Json.parse(JACKSON.writeValueAsString(new CommandStatus(
                        "cmd-1", "false", false, 1, "exit status 1", "2030-01-01T00:00:00Z", "2030-01-01T00:00:02Z"))));
        assertThat(done)
                .extracting(
                        dev.moat.sdk.CommandStatus::id,
                        dev.moat.sdk.CommandStatus::content,
                        dev.moat.sdk.CommandStatus::running,
                        dev.moat.sdk.CommandStatus::exitCode,
                        dev.moat.sdk.CommandStatus::error)
                .containsExactly("cmd-1", "false", false, OptionalInt.of(1), Optional.of("exit status 1"));
        assertThat(done.finishedAt()).hasValue(Instant.parse("2030-01-01T00:00:02Z"));
    }

    @Test
    void fileInfoAndMetricsReadIntoTheSdkRecords() throws Exception {
        dev.moat.sdk.FileInfo info = dev.moat.sdk.FileInfo.read(Json.parse(JACKSON.writeValueAsString(new FileInfo(
                "/workspace/run.sh",
                "file",
                2048,
                "2030-01-01T00:00:00Z",
                "2029-12-31T00:00:00Z",
                "root",
                "staff",
                755))));
        assertThat(info)
                .isEqualTo(new dev.moat.sdk.FileInfo(
                        "/workspace/run.sh",
                        FileType.FILE,
                        2048,
                        Instant.parse("2030-01-01T00:00:00Z"),
                        Optional.of(Instant.parse("2029-12-31T00:00:00Z")),
                        "root",
                        "staff",
                        755));
        assertThat(info.permissions()).isEqualTo(0755);

        dev.moat.sdk.Metrics metrics = dev.moat.sdk.Metrics.read(
                Json.parse(JACKSON.writeValueAsString(new Metrics(4.0, 45.5, 8192.0, 4096.25, 1_700_000_000_000L))));
        assertThat(metrics)
                .isEqualTo(
                        new dev.moat.sdk.Metrics(4.0, 45.5, 8192.0, 4096.25, Instant.ofEpochMilli(1_700_000_000_000L)));
    }

    @Test
    void fileRequestsMatchTheirRecords() throws Exception {
        FileUpload upload = FileUpload.of("/w/a.txt", "x")
                .withPermission(
                        dev.moat.sdk.Permission.mode(644).withOwner("app").withGroup("app"));
        assertThat(JACKSON.readValue(Json.write(upload.metadata()), FileMetadata.class))
                .isEqualTo(new FileMetadata("/w/a.txt", "app", "app", 644));
        assertThat(JACKSON.readValue(Json.write(FileUpload.of("/w/b", "y").metadata()), FileMetadata.class))
                .isEqualTo(new FileMetadata("/w/b", null, null, null));

        Map<String, Permission> permissions = JACKSON.readValue(
                Json.write(SandboxFiles.permissionMap("/w/dir", dev.moat.sdk.Permission.mode(700))),
                new TypeReference<>() {});
        assertThat(permissions).isEqualTo(Map.of("/w/dir", new Permission(null, null, 700)));

        List<RenameFileItem> moves =
                JACKSON.readValue(Json.write(SandboxFiles.moveRequest("/w/a", "/w/b")), new TypeReference<>() {});
        assertThat(moves).containsExactly(new RenameFileItem("/w/a", "/w/b"));

        Map<String, ReplaceFileContentItem> replacements = JACKSON.readValue(
                Json.write(SandboxFiles.replaceRequest("/w/cfg", "localhost", "0.0.0.0")), new TypeReference<>() {});
        assertThat(replacements).isEqualTo(Map.of("/w/cfg", new ReplaceFileContentItem("localhost", "0.0.0.0")));
    }
}
