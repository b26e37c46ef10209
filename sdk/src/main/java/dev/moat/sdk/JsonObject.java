package dev.moat.sdk;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Typed, checked access to the members of a JSON object read by {@link Json}. A member of the wrong type, or a
 * required member that is missing, fails with an {@link IllegalArgumentException} naming the object and the member,
 * which the transport reports as an unexpected answer. Members that are {@code null} count as absent.
 */
final class JsonObject {

    private final Map<String, Object> members;
    private final String what;

    private JsonObject(Map<String, Object> members, String what) {
        this.members = members;
        this.what = what;
    }

    /** {@code value} as an object; {@code what} names it in error messages ("the sandbox", "a file entry"). */
    static JsonObject of(Object value, String what) {
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException(what + " is not a JSON object: " + describe(value));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> members = (Map<String, Object>) value;
        return new JsonObject(members, what);
    }

    /** Each element of a JSON array, as read by {@code reader}. */
    static <T> List<T> list(Object value, String what, Function<Object, T> reader) {
        if (!(value instanceof List)) {
            throw new IllegalArgumentException(what + " is not a JSON array: " + describe(value));
        }
        List<T> out = new ArrayList<>();
        for (Object element : (List<?>) value) {
            out.add(reader.apply(element));
        }
        return List.copyOf(out);
    }

    Map<String, Object> members() {
        return members;
    }

    boolean has(String name) {
        return members.get(name) != null;
    }

    String string(String name) {
        return optionalString(name).orElseThrow(() -> missing(name));
    }

    Optional<String> optionalString(String name) {
        return optional(name, String.class, "a string");
    }

    long longValue(String name) {
        return optionalLong(name).orElseThrow(() -> missing(name));
    }

    Optional<Long> optionalLong(String name) {
        Optional<Number> number = optional(name, Number.class, "a number");
        return number.map(n -> {
            if (n instanceof Double && n.doubleValue() != Math.rint(n.doubleValue())) {
                throw wrongType(name, "a whole number");
            }
            return n.longValue();
        });
    }

    int intValue(String name) {
        return optionalInt(name).orElseThrow(() -> missing(name));
    }

    OptionalInt optionalInt(String name) {
        Optional<Long> value = optionalLong(name);
        if (value.isEmpty()) {
            return OptionalInt.empty();
        }
        if (value.get() < Integer.MIN_VALUE || value.get() > Integer.MAX_VALUE) {
            throw wrongType(name, "a 32-bit number");
        }
        return OptionalInt.of(value.get().intValue());
    }

    double doubleValue(String name) {
        return optional(name, Number.class, "a number")
                .orElseThrow(() -> missing(name))
                .doubleValue();
    }

    boolean bool(String name, boolean fallback) {
        return optional(name, Boolean.class, "true or false").orElse(fallback);
    }

    Instant time(String name) {
        return optionalTime(name).orElseThrow(() -> missing(name));
    }

    Optional<Instant> optionalTime(String name) {
        return optionalString(name).map(value -> Times.parse(value, what + " member '" + name + "'"));
    }

    JsonObject object(String name) {
        return optionalObject(name).orElseThrow(() -> missing(name));
    }

    Optional<JsonObject> optionalObject(String name) {
        Object value = members.get(name);
        return value == null ? Optional.empty() : Optional.of(of(value, what + " member '" + name + "'"));
    }

    /** A map of strings; absent means empty. */
    Map<String, String> stringMap(String name) {
        Optional<JsonObject> object = optionalObject(name);
        if (object.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        object.get().members.forEach((key, value) -> {
            if (!(value instanceof String)) {
                throw new IllegalArgumentException(
                        what + " member '" + name + "." + key + "' is not a string: " + describe(value));
            }
            out.put(key, (String) value);
        });
        return Collections.unmodifiableMap(out);
    }

    /** A list of strings; absent means empty. */
    List<String> stringList(String name) {
        Object value = members.get(name);
        if (value == null) {
            return List.of();
        }
        return list(value, what + " member '" + name + "'", element -> {
            if (!(element instanceof String)) {
                throw new IllegalArgumentException(
                        what + " member '" + name + "' holds a non-string: " + describe(element));
            }
            return (String) element;
        });
    }

    private <T> Optional<T> optional(String name, Class<T> type, String expected) {
        Object value = members.get(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!type.isInstance(value)) {
            throw wrongType(name, expected);
        }
        return Optional.of(type.cast(value));
    }

    private IllegalArgumentException missing(String name) {
        return new IllegalArgumentException(what + " has no '" + name + "' member");
    }

    private IllegalArgumentException wrongType(String name, String expected) {
        return new IllegalArgumentException(
                what + " member '" + name + "' is not " + expected + ": " + describe(members.get(name)));
    }

    private static String describe(Object value) {
        String text = value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
        return text.length() > 80 ? text.substring(0, 80) + "…" : text;
    }
}
