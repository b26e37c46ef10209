package dev.moat.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    /** Jackson, a reader everyone trusts, is the referee for what the SDK's codec reads and writes. */
    private static final ObjectMapper JACKSON = new ObjectMapper();

    @Test
    void readsScalars() {
        assertThat(Json.parse("true")).isEqualTo(true);
        assertThat(Json.parse("false")).isEqualTo(false);
        assertThat(Json.parse("null")).isNull();
        assertThat(Json.parse("\"x\"")).isEqualTo("x");
        assertThat(Json.parse(" \t\r\n 42 \n")).isEqualTo(42L);
    }

    @Test
    void readsNumbersAsLongBigIntegerOrDouble() {
        assertThat(Json.parse("0")).isEqualTo(0L);
        assertThat(Json.parse("-0")).isEqualTo(0L);
        assertThat(Json.parse("-17")).isEqualTo(-17L);
        assertThat(Json.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(Json.parse("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(Json.parse("9223372036854775808")).isEqualTo(new BigInteger("9223372036854775808"));
        assertThat(Json.parse("45.5")).isEqualTo(45.5);
        assertThat(Json.parse("-0.25")).isEqualTo(-0.25);
        assertThat(Json.parse("1e3")).isEqualTo(1000.0);
        assertThat(Json.parse("1.5E-2")).isEqualTo(0.015);
        assertThat(Json.parse("2e+2")).isEqualTo(200.0);
    }

    @Test
    void readsEveryEscape() {
        assertThat(Json.parse("\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"")).isEqualTo("a\"b\\c/d\be\ff\ng\rh\ti");
        assertThat(Json.parse("\"\\u00e9\\u4e2d\\u0000\"")).isEqualTo("é中\u0000");
    }

    @Test
    void readsSurrogatePairsEscapedOrRaw() {
        assertThat(Json.parse("\"\\ud83d\\ude00\"")).isEqualTo("😀");
        assertThat(Json.parse("\"raw 😀 ünïcødé\"")).isEqualTo("raw 😀 ünïcødé");
    }

    @Test
    void readsNestedObjectsAndArraysKeepingMemberOrder() {
        Object value = Json.parse("{\"z\":1,\"a\":[true,null,{\"k\":[]}],\"m\":{}}");
        assertThat(value).isInstanceOf(LinkedHashMap.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value;
        assertThat(map.keySet()).containsExactly("z", "a", "m");
        assertThat(map.get("a")).isEqualTo(java.util.Arrays.asList(true, null, Map.of("k", List.of())));
        assertThat(map.get("m")).isEqualTo(Map.of());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "   ",
                "{",
                "[1,]",
                "{\"a\":1,}",
                "{\"a\" 1}",
                "{a:1}",
                "[1 2]",
                "01",
                "-",
                "1.",
                ".5",
                "1e",
                "+1",
                "\"unterminated",
                "\"bad \\x escape\"",
                "\"\\u12\"",
                "\"tab\tinside\"",
                "tru",
                "nul",
                "1 2",
                "{} x",
                "NaN",
                "'single'"
            })
    void refusesMalformedInputNamingThePosition(String text) {
        assertThatThrownBy(() -> Json.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid JSON at offset ");
    }

    @Test
    void refusesHostileNestingWithoutOverflowingTheStack() {
        String deep = "[".repeat(100_000);
        assertThatThrownBy(() -> Json.parse(deep)).hasMessageContaining("nested deeper than");
        String fine = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThat(Json.parse(fine)).isInstanceOf(List.class);
    }

    @Test
    void writesCompactJsonThatJacksonReadsBack() throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("text", "quote \" backslash \\ newline \n tab \t cr \r bell \u0007 nul \u0000 é 中 😀");
        value.put("separators", "\u2028\u2029");
        value.put("int", 42);
        value.put("long", Long.MIN_VALUE);
        value.put("big", new BigInteger("123456789012345678901234567890"));
        value.put("double", 45.5);
        value.put("wholeDouble", 4.0);
        value.put("bool", true);
        value.put("null", null);
        value.put("list", List.of(1, "two", List.of(), Map.of()));
        String written = Json.write(value);

        assertThat(written).doesNotContain("\n").doesNotContain("\u0000").doesNotContain("\u2028");
        Map<?, ?> jackson = JACKSON.readValue(written, Map.class);
        assertThat(jackson.get("text")).isEqualTo(value.get("text"));
        assertThat(jackson.get("separators")).isEqualTo("\u2028\u2029");
        assertThat(jackson.get("long")).isEqualTo(Long.MIN_VALUE);
        assertThat(jackson.get("big")).isEqualTo(new BigInteger("123456789012345678901234567890"));
        assertThat(jackson.get("double")).isEqualTo(45.5);
        assertThat(jackson.get("wholeDouble")).isEqualTo(4.0);
        assertThat(jackson.get("list")).isEqualTo(List.of(1, "two", List.of(), Map.of()));
        assertThat(jackson.containsKey("null")).isTrue();
        assertThat(Json.parse(written)).isEqualTo(Json.parse(JACKSON.writeValueAsString(jackson)));
    }

    @Test
    void readsWhatJacksonWritesForRandomDocuments() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 300; i++) {
            Object document = randomValue(random, 0);
            String jackson = JACKSON.writeValueAsString(document);
            assertThat(Json.parse(jackson)).as(jackson).isEqualTo(normalize(document));
            assertThat(JACKSON.readValue(Json.write(document), Object.class))
                    .as(jackson)
                    .isEqualTo(JACKSON.readValue(jackson, Object.class));
        }
    }

    @Test
    void refusesWhatJsonCannotHold() {
        assertThatThrownBy(() -> Json.write(Double.NaN)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> Json.write(Map.of(1, "x"))).hasMessageContaining("must be strings");
        assertThatThrownBy(() -> Json.write(new Object())).hasMessageContaining("cannot write");
    }

    private static Object randomValue(Random random, int depth) {
        int kind = random.nextInt(depth > 3 ? 5 : 7);
        switch (kind) {
            case 0:
                return random.nextBoolean();
            case 1:
                return random.nextLong();
            case 2:
                return random.nextInt(2000) / 8.0 - 100;
            case 3:
                return randomString(random);
            case 4:
                return null;
            case 5:
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    list.add(randomValue(random, depth + 1));
                }
                return list;
            default:
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    map.put(randomString(random), randomValue(random, depth + 1));
                }
                return map;
        }
    }

    private static String randomString(Random random) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            int pick = random.nextInt(6);
            if (pick == 0) {
                text.append((char) random.nextInt(0x20)); // control characters
            } else if (pick == 1) {
                text.appendCodePoint(0x1F600 + random.nextInt(50)); // outside the BMP
            } else if (pick == 2) {
                text.append("\"\\/");
            } else {
                text.append((char) (0x20 + random.nextInt(0x3000)));
            }
        }
        return text.toString();
    }

    /** What {@link Json#parse} yields for a value: integers as Long. */
    private static Object normalize(Object value) {
        if (value instanceof Integer) {
            return ((Integer) value).longValue();
        }
        if (value instanceof List) {
            List<Object> out = new ArrayList<>();
            ((List<?>) value).forEach(element -> out.add(normalize(element)));
            return out;
        }
        if (value instanceof Map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            ((Map<?, ?>) value).forEach((k, v) -> out.put(k, normalize(v)));
            return out;
        }
        return value;
    }
}
