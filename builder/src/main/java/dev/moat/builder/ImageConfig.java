package dev.moat.builder;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The {@code image.json} next to an image's {@code rootfs/}: how to run the image.
 *
 * @param env the image's environment as {@code KEY=VALUE} strings, in order
 * @param workdir the working directory of the entrypoint ({@code /} when the image sets none)
 * @param user the user the entrypoint runs as ({@code root}, {@code 1000}, {@code 1000:1000}), empty for root
 * @param entrypoint the image's entrypoint (Docker's Entrypoint + Cmd), empty for none
 * @param labels the image's labels
 * @param digest {@code sha256:…} of the image's content, as imported or built
 * @param created when the image was built or imported
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageConfig(
        List<String> env,
        String workdir,
        String user,
        List<String> entrypoint,
        Map<String, String> labels,
        String digest,
        Instant created) {

    public ImageConfig {
        env = env == null ? List.of() : List.copyOf(env);
        workdir = workdir == null || workdir.isBlank() ? "/" : workdir;
        user = user == null ? "" : user;
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
