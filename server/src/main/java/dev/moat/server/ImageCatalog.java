package dev.moat.server;

import dev.moat.core.SandboxTypes;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The images a create may name: a sandbox type ({@code base}, {@code agentscope/runtime-sandbox-base:latest}, or the
 * type's own image), or an image in the store. Any other name is refused before anything is created, with the command
 * that would make the image.
 */
record ImageCatalog(SandboxTypes types, Supplier<Set<String>> stored, Path store) {

    void requireKnown(String image) {
        if (types.resolve(image).isPresent()) {
            return;
        }
        String reference = SandboxTypes.withDefaultTag(image);
        Set<String> images = stored.get();
        if (images.contains(reference) || images.contains(image)) {
            return;
        }
        throw ServerError.IMAGE_NOT_FOUND.exception(
                "image '%s' is neither a sandbox type (%s) nor in the image store (%s); build the base image with:"
                        + " ./moat image build base, or import yours with: ./moat image import FILE --name %s",
                image,
                String.join(", ", types.all().stream().map(type -> type.name()).toList()),
                store,
                reference);
    }
}
