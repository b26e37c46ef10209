package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A storage mount of a sandbox: a unique DNS-label {@code name}, exactly one backend ({@code host}, {@code pvc} or
 * {@code ossfs}), the absolute {@code mountPath} inside, and whether it is read-only. {@code subPath} selects a
 * relative directory below the backend's path.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Volume(String name, Host host, Pvc pvc, Ossfs ossfs, String mountPath, Boolean readOnly, String subPath) {

    /** A host directory, allowed only under the server's permitted prefixes. */
    public record Host(String path) {}

    /** A platform-managed named volume (a Kubernetes PVC, a Docker named volume). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Pvc(
            String claimName,
            Boolean createIfNotExists,
            Boolean deleteOnSandboxTermination,
            String storageClass,
            String storage,
            List<String> accessModes) {}

    /** An Alibaba Cloud OSS bucket mounted with ossfs. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ossfs(
            String bucket,
            String endpoint,
            String version,
            List<String> options,
            String accessKeyId,
            String accessKeySecret) {}
}
