package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming pieces under upload and replace, fed in the worst ways a socket can deliver: one byte at a time and
 * in random slices, so that every boundary and every pattern straddles every possible split.
 */
class StreamingPartsTest {

    /** Delivers at most {@code slice} bytes per read, as a slow socket does. */
    private static InputStream sliced(byte[] bytes, int slice) {
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] target, int offset, int length) throws IOException {
                return super.read(target, offset, Math.min(length, slice));
            }
        };
    }

    private static List<String> readParts(byte[] body, int slice) throws IOException {
        MultipartReader reader = new MultipartReader(sliced(body, slice), MultipartBody.BOUNDARY);
        List<String> parts = new ArrayList<>();
        Optional<MultipartReader.Part> part;
        while ((part = reader.next()).isPresent()) {
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            if (parts.size() % 2 == 0) {
                part.get().body().transferTo(content);
            } else {
                content.write(part.get().body().readAllBytes());
            }
            parts.add(part.get().name() + "=" + content.toString(StandardCharsets.ISO_8859_1));
        }
        return parts;
    }

    @Test
    void multipartPartsAreReadWhateverTheSlicesTheyArriveIn() throws Exception {
        String tricky = "\r\n--" + MultipartBody.BOUNDARY.substring(0, 7) + "\r\r\n-\r\n--";
        byte[] body = new MultipartBody()
                .metadata("{\"path\":\"/a\"}")
                .file(tricky)
                .file("")
                .file("x".repeat(200_000))
                .close()
                .bytes();

        for (int slice : new int[] {1, 2, 3, 7, 61, 4096, 65_536, Integer.MAX_VALUE}) {
            assertThat(readParts(body, slice))
                    .as("slices of %d bytes", slice)
                    .containsExactly(
                            "metadata={\"path\":\"/a\"}", "file=" + tricky, "file=", "file=" + "x".repeat(200_000));
        }
    }

    @Test
    void anUnreadPartIsSkippedByTheNextOne() throws Exception {
        byte[] body = new MultipartBody().file("skipped").metadata("{}").close().bytes();
        MultipartReader reader = new MultipartReader(sliced(body, 5), MultipartBody.BOUNDARY);

        InputStream first = reader.next().orElseThrow().body();
        MultipartReader.Part second = reader.next().orElseThrow();

        assertThat(first.read())
                .as("a part's stream ends when the next part begins")
                .isEqualTo(-1);
        assertThat(second.body().readAllBytes()).isEqualTo("{}".getBytes(StandardCharsets.UTF_8));
        assertThat(reader.next()).isEmpty();
    }

    @Test
    void headerParametersMayBeQuotedAndHoldSeparators() {
        java.util.Map<String, String> parameters = new java.util.LinkedHashMap<>();

        String type = MultipartReader.parameters(
                "form-data; NAME=\"file\"; filename=\"a;b \\\"c\\\".txt\"; flag; size=12 ", parameters);

        assertThat(type).isEqualTo("form-data");
        assertThat(parameters)
                .containsEntry("name", "file")
                .containsEntry("filename", "a;b \"c\".txt")
                .containsEntry("size", "12");
    }

    @Test
    void replacementMatchesStringReplaceOnRandomInput() throws Exception {
        Random random = new Random(7);
        for (int round = 0; round < 500; round++) {
            String text = randomText(random, random.nextInt(300));
            String pattern = randomText(random, 1 + random.nextInt(4));
            String replacement = randomText(random, random.nextInt(3));
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            long count = new StreamingReplace(
                            pattern.getBytes(StandardCharsets.UTF_8), replacement.getBytes(StandardCharsets.UTF_8))
                    .copy(sliced(text.getBytes(StandardCharsets.UTF_8), 1 + random.nextInt(5)), out);

            assertThat(out.toString(StandardCharsets.UTF_8))
                    .as("'%s' in '%s'", pattern, text)
                    .isEqualTo(text.replace(pattern, replacement));
            assertThat(count).isEqualTo(occurrences(text, pattern));
        }
    }

    /** Text from a small alphabet with a multi-byte letter, so that patterns occur often and overlap. */
    private static String randomText(Random random, int length) {
        String alphabet = "aab\u00e9";
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private static long occurrences(String text, String pattern) {
        long count = 0;
        for (int at = text.indexOf(pattern); at >= 0; at = text.indexOf(pattern, at + pattern.length())) {
            count++;
        }
        return count;
    }
}
