package dev.moat.sdk;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/** Percent-encoding of path segments and query strings ({@code %20} for spaces, which every server decodes). */
final class Urls {

    private Urls() {}

    /** One path segment: {@code /} and every other reserved character encoded. */
    static String segment(String value) {
        return encode(value);
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Builds {@code ?a=1&b=2}; empty when no parameter was added. */
    static final class Query {
        private final StringBuilder text = new StringBuilder();

        Query add(String name, Object value) {
            text.append(text.length() == 0 ? '?' : '&')
                    .append(encode(name))
                    .append('=')
                    .append(encode(String.valueOf(value)));
            return this;
        }

        /** The parameter once per value ({@code ?path=a&path=b}), as the spec's exploded arrays are sent. */
        Query addEach(String name, Collection<String> values) {
            values.forEach(value -> add(name, value));
            return this;
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
