package dev.moat.backend.oci;

import dev.moat.core.spi.ResourceLimits;
import dev.moat.core.spi.SandboxSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds {@link SandboxSpec}s for tests: the test base image, no limits, no mounts unless said otherwise. */
final class TestSpec {

    private final String id;
    private String image = TestImages.BASE;
    private final Map<String, String> env = new HashMap<>();
    private ResourceLimits limits = ResourceLimits.UNLIMITED;
    private final List<SandboxSpec.Mount> mounts = new ArrayList<>();
    private final Map<String, String> labels = new HashMap<>();

    TestSpec(String id) {
        this.id = id;
    }

    TestSpec image(String value) {
        image = value;
        return this;
    }

    TestSpec env(String key, String value) {
        env.put(key, value);
        return this;
    }

    TestSpec limits(ResourceLimits value) {
        limits = value;
        return this;
    }

    TestSpec mount(Path source, String target, boolean readOnly) {
        mounts.add(new SandboxSpec.Mount(source, target, readOnly));
        return this;
    }

    TestSpec label(String key, String value) {
        labels.put(key, value);
        return this;
    }

    SandboxSpec build() {
        return new SandboxSpec(id, image, env, List.of(), limits, mounts, SandboxSpec.NetworkMode.LOOPBACK, labels);
    }
}
