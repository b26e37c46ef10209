package dev.moat.dist;

import dev.moat.builder.BaseImage;
import dev.moat.builder.ImageStore;
import dev.moat.builder.Progress;
import dev.moat.server.ImagePreparation;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;

/**
 * The images {@code moat server} prepares before its pools start: the base image is built when the store lacks it (a
 * first run, about a minute), with its progress on standard error; when it is there this returns at once. Other
 * images are left to the backend, whose error names the command that builds or imports them.
 */
final class FirstRunImages implements ImagePreparation {

    @Override
    public void prepare(Path moatHome, Set<String> images) throws InterruptedException {
        if (!images.contains(BaseImage.REFERENCE.toString())) {
            return;
        }
        ImageStore store = ImageStore.inHome(moatHome);
        if (store.find(BaseImage.REFERENCE).isEmpty()) {
            System.err.println("moat: " + BaseImage.REFERENCE + " is not in " + store.root()
                    + "; building it now (first run, about a minute)");
        }
        BaseImage.ensure(
                store,
                Progress.timed(new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8))));
    }
}
