/**
 * The small HTTP toolkit that execd and the server share, on Jetty 12 core handlers with blocking code on virtual
 * threads: a {@link dev.moat.http.Router} of method + path templates, an {@link dev.moat.http.Exchange} per request
 * with JSON in and out, errors that carry their category ({@link dev.moat.http.ApiException}) and are turned into
 * {@code {code,message}} bodies in exactly one place, and {@link dev.moat.http.EventStream} for line-per-event
 * streams.
 */
package dev.moat.http;
