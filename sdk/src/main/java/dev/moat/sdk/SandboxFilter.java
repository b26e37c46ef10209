package dev.moat.sdk;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which sandboxes {@link SandboxManager#list} returns: any of the given states (all states when none), all of the
 * given metadata pairs, and which page. Immutable: every {@code with…} returns a new filter.
 */
public final class SandboxFilter {

    private final Set<SandboxState> states;
    private final Map<String, String> metadata;
    private final int page;
    private final int pageSize;

    private SandboxFilter(Set<SandboxState> states, Map<String, String> metadata, int page, int pageSize) {
        this.states = Collections.unmodifiableSet(
                states.isEmpty() ? EnumSet.noneOf(SandboxState.class) : EnumSet.copyOf(states));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.page = page;
        this.pageSize = pageSize;
    }

    /** Every sandbox, first page of 20. */
    public static SandboxFilter all() {
        return new SandboxFilter(Set.of(), Map.of(), 1, 20);
    }

    /** Adds states to match (a sandbox matches if it is in any of them). */
    public SandboxFilter withState(SandboxState... more) {
        EnumSet<SandboxState> all = states.isEmpty() ? EnumSet.noneOf(SandboxState.class) : EnumSet.copyOf(states);
        for (SandboxState state : more) {
            if (state == SandboxState.UNKNOWN) {
                throw new IllegalArgumentException("UNKNOWN is not a state a server can filter by");
            }
            all.add(state);
        }
        return new SandboxFilter(all, metadata, page, pageSize);
    }

    /** Adds a metadata pair every match must have. */
    public SandboxFilter withMetadata(String key, String value) {
        Map<String, String> all = new LinkedHashMap<>(metadata);
        all.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new SandboxFilter(states, all, page, pageSize);
    }

    /** The page to return, from 1. */
    public SandboxFilter withPage(int number) {
        if (number < 1) {
            throw new IllegalArgumentException("page must be at least 1, got " + number);
        }
        return new SandboxFilter(states, metadata, number, pageSize);
    }

    public SandboxFilter withPageSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("pageSize must be at least 1, got " + size);
        }
        return new SandboxFilter(states, metadata, page, size);
    }

    public Set<SandboxState> states() {
        return states;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public int page() {
        return page;
    }

    public int pageSize() {
        return pageSize;
    }

    /**
     * {@code ?state=Running&state=Paused&metadata=…&page=1&pageSize=20}; metadata is one parameter holding the
     * URL-encoded {@code k=v&k2=v2}, as the spec asks.
     */
    String query() {
        Urls.Query query = new Urls.Query();
        states.forEach(state -> query.add("state", state.wireName()));
        if (!metadata.isEmpty()) {
            StringBuilder pairs = new StringBuilder();
            metadata.forEach((key, value) -> {
                if (pairs.length() > 0) {
                    pairs.append('&');
                }
                pairs.append(Urls.encode(key)).append('=').append(Urls.encode(value));
            });
            query.add("metadata", pairs.toString());
        }
        return query.add("page", page).add("pageSize", pageSize).toString();
    }

    @Override
    public String toString() {
        return "SandboxFilter" + query();
    }
}
