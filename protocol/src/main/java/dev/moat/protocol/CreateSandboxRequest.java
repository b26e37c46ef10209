package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /v1/sandboxes}. {@code timeout} is in seconds (at least 60); absent or {@code null} means the
 * sandbox never expires on its own. Policy objects Moat does not interpret field by field are kept as JSON maps so
 * that they can be checked and reported precisely.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CreateSandboxRequest(
        ImageSpec image,
        String snapshotId,
        PlatformSpec platform,
        Long timeout,
        Map<String, String> resourceLimits,
        Map<String, String> env,
        Map<String, String> metadata,
        List<String> entrypoint,
        Map<String, Object> networkPolicy,
        Map<String, Object> credentialProxy,
        Boolean secureAccess,
        List<Volume> volumes,
        Map<String, String> extensions) {}
