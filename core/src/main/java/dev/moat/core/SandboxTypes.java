package dev.moat.core;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sandbox types the server knows, and how a client's image name maps to one: a type's name ({@code base}), the
 * type's image ({@code moat/base:latest}), or an AgentScope image name
 * ({@code [registry/]agentscope/runtime-sandbox-base:latest}, with the configured namespace and tag).
 */
public final class SandboxTypes {

    private final Map<String, SandboxType> types = new LinkedHashMap<>();
    private final Pattern agentscopeName;

    /**
     * @param namespace {@code RUNTIME_SANDBOX_IMAGE_NAMESPACE} ({@code agentscope})
     * @param tag {@code RUNTIME_SANDBOX_IMAGE_TAG} ({@code latest})
     */
    public SandboxTypes(Collection<SandboxType> types, String namespace, String tag) {
        types.forEach(type -> this.types.put(type.name(), type));
        this.agentscopeName = Pattern.compile("(?:[^/]+/)?" + Pattern.quote(namespace)
                + "/runtime-sandbox-([a-z0-9_-]+?)(?:_async)?(?::" + Pattern.quote(tag) + ")?");
    }

    public Optional<SandboxType> get(String name) {
        return Optional.ofNullable(types.get(name));
    }

    public Collection<SandboxType> all() {
        return types.values();
    }

    /** The type a client's image name stands for, if any. */
    public Optional<SandboxType> resolve(String image) {
        SandboxType byName = types.get(image);
        if (byName != null) {
            return Optional.of(byName);
        }
        Matcher agentscope = agentscopeName.matcher(image);
        if (agentscope.matches()) {
            return Optional.ofNullable(types.get(agentscope.group(1)));
        }
        String withTag = withDefaultTag(image);
        return types.values().stream()
                .filter(type -> type.image().equals(withTag))
                .findFirst();
    }

    /** {@code name:tag} for an image name, {@code :latest} when it has no tag (a registry's port is no tag). */
    public static String withDefaultTag(String image) {
        return image.substring(image.lastIndexOf('/') + 1).contains(":") ? image : image + ":latest";
    }
}
