package dev.moat.builder;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code moat image}: the images of the {@code oci} backend in {@code $MOAT_HOME/images} — build the base image,
 * list, import, export and remove images. Failures are exceptions whose message is the one line the user sees.
 */
@Command(
        name = "image",
        description = "Build, list, import, export and remove the images sandboxes run ($MOAT_HOME/images).",
        subcommands = {
            CommandLine.HelpCommand.class,
            ImageCommand.Build.class,
            ImageCommand.ListImages.class,
            ImageCommand.Import.class,
            ImageCommand.Export.class,
            ImageCommand.Remove.class
        })
public final class ImageCommand implements Runnable {

    private final MoatHome home;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public ImageCommand() {
        this(MoatHome.fromEnvironment());
    }

    public ImageCommand(MoatHome home) {
        this.home = home;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    ImageStore store() {
        return home.images();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    Progress progress() {
        return Progress.timed(out());
    }

    /** {@code moat image build RECIPE}. */
    @Command(name = "build", description = "Build an image from a recipe (recipes: base); cached once built.")
    static final class Build implements Callable<Integer> {
        @ParentCommand
        private ImageCommand parent;

        @Parameters(paramLabel = "RECIPE", description = "the recipe: base")
        private String recipe;

        @Option(names = "--force", description = "rebuild even if the image is up to date")
        private boolean force;

        @Override
        public Integer call() throws InterruptedException {
            DebianRecipe chosen = Recipes.named(recipe);
            ImageBuilder.Result result = new ImageBuilder(parent.store(), parent.progress()).build(chosen, force);
            if (!result.built()) {
                parent.out()
                        .println(result.image().reference() + " is up to date (built " + Listing.created(result.image())
                                + ", " + result.image().config().digest() + "); use --force to rebuild it");
            }
            return 0;
        }
    }

    /** {@code moat image ls}. */
    @Command(name = "ls", description = "List the images in the store.")
    static final class ListImages implements Runnable {
        @ParentCommand
        private ImageCommand parent;

        @Override
        public void run() {
            Listing.print(parent.store().list(), parent.out());
        }
    }

    /** {@code moat image import FILE --name NAME:TAG}. */
    @Command(
            name = "import",
            description = "Import a docker-archive (docker save) or an OCI image layout (directory or tar).")
    static final class Import implements Callable<Integer> {
        @ParentCommand
        private ImageCommand parent;

        @Parameters(paramLabel = "FILE", description = "the archive or OCI layout directory")
        private Path file;

        @Option(
                names = "--name",
                required = true,
                paramLabel = "NAME:TAG",
                description = "the image's name in the store")
        private String name;

        @Option(names = "--force", description = "replace an image of the same name")
        private boolean force;

        @Override
        public Integer call() throws InterruptedException {
            new ImageImporter(parent.store(), parent.progress()).importImage(file, ImageReference.parse(name), force);
            return 0;
        }
    }

    /** {@code moat image export NAME:TAG FILE}. */
    @Command(name = "export", description = "Write an image as a docker-archive that docker load accepts.")
    static final class Export implements Callable<Integer> {
        @ParentCommand
        private ImageCommand parent;

        @Parameters(index = "0", paramLabel = "NAME:TAG")
        private String name;

        @Parameters(index = "1", paramLabel = "FILE")
        private Path file;

        @Override
        public Integer call() throws InterruptedException {
            new ImageExporter(parent.store(), parent.progress()).export(ImageReference.parse(name), file);
            return 0;
        }
    }

    /** {@code moat image rm NAME:TAG}. */
    @Command(name = "rm", description = "Remove an image from the store.")
    static final class Remove implements Callable<Integer> {
        @ParentCommand
        private ImageCommand parent;

        @Parameters(paramLabel = "NAME:TAG", arity = "1..*")
        private List<String> names;

        @Override
        public Integer call() throws Exception {
            for (String name : names) {
                ImageReference reference = ImageReference.parse(name);
                try (ImageLock lock = parent.store().lock(reference)) {
                    parent.store().remove(lock);
                }
                parent.out().println("removed " + reference);
            }
            return 0;
        }
    }

    /** The {@code ls} table. */
    static final class Listing {
        private static final DateTimeFormatter CREATED =
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(ZoneId.systemDefault());

        private Listing() {}

        static void print(List<StoredImage> images, PrintWriter out) {
            String format = "%-32s %10s  %-16s  %s%n";
            out.printf(format, "NAME:TAG", "SIZE", "CREATED", "DIGEST");
            for (StoredImage image : images) {
                out.printf(format, image.reference(), size(image.diskUsage()), created(image), shortDigest(image));
            }
            out.flush();
        }

        static String created(StoredImage image) {
            return image.config().created() == null
                    ? "-"
                    : CREATED.format(image.config().created());
        }

        static String size(long bytes) {
            if (bytes < 1_000_000) {
                return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
            }
            if (bytes < 1_000_000_000) {
                return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
            }
            return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
        }

        private static String shortDigest(StoredImage image) {
            String digest = image.config().digest();
            return digest == null ? "-" : digest.substring(0, Math.min(digest.length(), "sha256:".length() + 12));
        }
    }
}
