package dev.moat.builder;

import dev.moat.core.spi.SandboxException;
import java.util.List;

/** The recipes {@code moat image build NAME} knows. */
public final class Recipes {

    private static final List<DebianRecipe> ALL = List.of(BaseImage.RECIPE);

    private Recipes() {}

    /** The recipe called {@code name}; an unknown name fails with the list of known ones. */
    public static DebianRecipe named(String name) {
        return ALL.stream()
                .filter(recipe -> recipe.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new SandboxException(
                        SandboxException.Kind.INVALID_SPEC,
                        "there is no image recipe called '" + name + "'; recipes: " + names()
                                + " (other images: ./moat image import FILE --name NAME:TAG)"));
    }

    /** The names of every recipe, comma-separated. */
    public static String names() {
        return String.join(", ", ALL.stream().map(DebianRecipe::name).toList());
    }
}
