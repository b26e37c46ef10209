package dev.moat.sdk;

import java.util.List;

/**
 * One page of a sandbox list.
 *
 * @param items the sandboxes on this page
 * @param page this page's number, from 1
 * @param pageSize the page size asked for
 * @param totalItems how many sandboxes match in all
 * @param totalPages how many pages there are
 * @param hasNextPage whether a next page exists
 */
public record SandboxPage(
        List<SandboxInfo> items, int page, int pageSize, int totalItems, int totalPages, boolean hasNextPage) {

    public SandboxPage {
        items = List.copyOf(items);
    }

    static SandboxPage read(Object json) {
        JsonObject answer = JsonObject.of(json, "the sandbox list");
        List<SandboxInfo> items =
                JsonObject.list(answer.members().getOrDefault("items", List.of()), "the list items", SandboxInfo::read);
        JsonObject pagination = answer.object("pagination");
        return new SandboxPage(
                items,
                pagination.intValue("page"),
                pagination.intValue("pageSize"),
                pagination.intValue("totalItems"),
                pagination.intValue("totalPages"),
                pagination.bool("hasNextPage", false));
    }
}
