package dev.moat.protocol;

/** Where a page of a list stands in the whole. */
public record PaginationInfo(int page, int pageSize, int totalItems, int totalPages, boolean hasNextPage) {}
