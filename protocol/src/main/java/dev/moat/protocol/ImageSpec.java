package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The image a sandbox is created from; {@code auth} is for private registries. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageSpec(String uri, ImageAuth auth) {

    public static ImageSpec of(String uri) {
        return new ImageSpec(uri, null);
    }

    /** Registry credentials. */
    public record ImageAuth(String username, String password) {}
}
