package dev.moat.server;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Sandbox metadata follows Kubernetes label rules: a key is a DNS label or a prefixed DNS subdomain
 * ({@code example.com/team}), the {@code opensandbox.io/} prefix is reserved, and a value is at most 63 characters of
 * {@code [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?} (or empty).
 */
final class MetadataRules {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern PREFIX =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
    private static final String RESERVED = "opensandbox.io/";

    private MetadataRules() {}

    static void checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw ServerError.INVALID_REQUEST.exception("metadata keys cannot be empty");
        }
        if (key.startsWith(RESERVED)) {
            throw ServerError.INVALID_REQUEST.exception("metadata key '%s' uses the reserved prefix %s", key, RESERVED);
        }
        int slash = key.indexOf('/');
        String prefix = slash >= 0 ? key.substring(0, slash) : null;
        String name = slash >= 0 ? key.substring(slash + 1) : key;
        boolean valid = NAME.matcher(name).matches()
                && (prefix == null
                        || (prefix.length() <= 253 && PREFIX.matcher(prefix).matches()));
        if (!valid) {
            throw ServerError.INVALID_REQUEST.exception(
                    "metadata key '%s' is not a valid label key: a name of at most 63 characters of letters, digits,"
                            + " '-', '_' and '.', optionally after a DNS prefix and '/'",
                    key);
        }
    }

    static void checkValue(String key, String value) {
        if (value == null || !VALUE.matcher(value).matches()) {
            throw ServerError.INVALID_REQUEST.exception(
                    "metadata value of '%s' is not a valid label value: at most 63 characters of letters, digits,"
                            + " '-', '_' and '.', starting and ending with a letter or digit",
                    key);
        }
    }

    static void check(Map<String, String> metadata) {
        metadata.forEach((key, value) -> {
            checkKey(key);
            checkValue(key, value);
        });
    }
}
