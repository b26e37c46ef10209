package dev.moat.backend.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BundleRootTest {

    private Path temp;

    @BeforeEach
    void createTemp() throws Exception {
        temp = Files.createTempDirectory(
                Path.of("/var/tmp"),
                "bundle-root-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    @AfterEach
    void deleteTemp() throws Exception {
        dev.moat.builder.TreeDeleter.delete(temp);
    }

    @Test
    void aHomeOthersCanSearchHoldsItsOwnBundles() throws Exception {
        Path home = Files.createDirectory(temp.resolve("home"));

        BundleRoot root = BundleRoot.choose(home, temp.resolve("lib/moat/bundles"));

        assertThat(root.directory()).isEqualTo(home);
        assertThat(root.relocation()).isEmpty();
    }

    @Test
    void aPrivateHomeHasItsBundlesInASearchablePlaceThatStaysTheSame() throws Exception {
        Path closed = Files.createDirectory(
                temp.resolve("private"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path home = Files.createDirectory(closed.resolve(".moat"));
        Path fallback = temp.resolve("lib/moat/bundles");

        BundleRoot root = BundleRoot.choose(home, fallback);

        assertThat(root.directory().getParent()).isEqualTo(fallback);
        assertThat(root.relocation().orElseThrow())
                .contains(closed.toString())
                .contains(root.directory().toString());
        assertThat(BundleRoot.firstClosed(root.directory())).isEmpty();
        for (Path directory : new Path[] {root.directory(), fallback, fallback.getParent()}) {
            assertThat(Files.getPosixFilePermissions(directory)).contains(PosixFilePermission.OTHERS_EXECUTE);
        }
        assertThat(BundleRoot.choose(home, fallback))
                .as("the same home, the same place")
                .isEqualTo(root);
        assertThat(BundleRoot.choose(Files.createDirectory(closed.resolve("other")), fallback)
                        .directory())
                .isNotEqualTo(root.directory());
    }
}
