package dev.moat.http;

/** A check that runs before every route, such as authentication; it refuses a request by throwing. */
@FunctionalInterface
public interface Filter {
    void check(Exchange exchange);
}
