package dev.moat.server;

import java.nio.file.Path;
import java.util.Set;

/**
 * What the server does with the images of its pooled types before the pools start: the {@code moat} command line
 * builds the base image on a first run (with visible progress); tests and embedders that bring their own images do
 * nothing. Failures are unchecked exceptions whose message is the line the user sees.
 */
@FunctionalInterface
public interface ImagePreparation {

    /** Leaves images as they are. */
    ImagePreparation NONE = (moatHome, images) -> {};

    /** Makes sure {@code images} (as {@code name:tag}) are in the image store of {@code moatHome}. */
    void prepare(Path moatHome, Set<String> images) throws InterruptedException;
}
