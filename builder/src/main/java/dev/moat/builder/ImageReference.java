package dev.moat.builder;

import dev.moat.core.spi.SandboxException;
import java.util.regex.Pattern;

/**
 * An image name and tag as the store knows it: {@code moat/base:latest}. A missing tag is {@code latest}. Names are
 * lower-case path components ({@code [a-z0-9._-]}) separated by {@code /}, so that a reference can never escape the
 * store's directory; the constructor enforces it.
 */
public record ImageReference(String name, String tag) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

    public ImageReference {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new SandboxException(
                    SandboxException.Kind.INVALID_SPEC,
                    "image name '" + name + "' is not valid: use lower-case letters, digits, '.', '_', '-' and '/'");
        }
        if (tag == null || !TAG.matcher(tag).matches()) {
            throw new SandboxException(
                    SandboxException.Kind.INVALID_SPEC,
                    "image tag '" + tag + "' is not valid: use letters, digits, '.', '_' and '-'");
        }
    }

    /** Parses {@code name[:tag]}; an invalid name or tag fails with {@link SandboxException.Kind#INVALID_SPEC}. */
    public static ImageReference parse(String reference) {
        String value = reference == null ? "" : reference.trim();
        int colon = value.lastIndexOf(':');
        if (colon > value.lastIndexOf('/')) {
            return new ImageReference(value.substring(0, colon), value.substring(colon + 1));
        }
        return new ImageReference(value, "latest");
    }

    @Override
    public String toString() {
        return name + ":" + tag;
    }
}
