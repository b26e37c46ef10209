package dev.moat.execd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The training run for execd's AOT cache: starts execd on a socket in the given directory, sends it a representative
 * set of requests so that the classes and methods of the common paths are loaded and profiled, then exits. The build
 * runs it with {@code -XX:AOTCacheOutput}; it is not part of the API.
 */
public final class AotTraining {

    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        Path socket = directory.resolve("execd.sock");
        // Every sandbox maps the whole cache: leave the native bindings of the posix_spawn launcher out of it (they
        // would
        // add megabytes to an idle sandbox); a sandbox sets them up after its first command.
        System.setProperty(ProcessLauncher.CHOICE_PROPERTY, "java");
        try (Execd execd = Execd.start(new ExecdOptions(
                java.util.Optional.of(socket),
                java.util.Optional.empty(),
                "127.0.0.1",
                java.util.Optional.empty(),
                List.of(),
                List.of("true")))) {
            for (int round = 0; round < 20; round++) {
                for (String request : requests(directory)) {
                    exchange(socket, request);
                }
            }
        }
        System.exit(0);
    }

    private static List<String> requests(Path directory) {
        // the entrypoint "true" gives a command with a fixed id whose status and logs can be asked for
        List<String> requests = new java.util.ArrayList<>(List.of(
                get("/ping"),
                post("/command", "{\"command\":\"true\"}"),
                get("/command/status/" + CommandRunner.ENTRYPOINT_ID),
                get("/command/" + CommandRunner.ENTRYPOINT_ID + "/logs"),
                // code routes without a kernel: the training machine may have no python
                get("/code/contexts"),
                post("/code/context", "{\"language\":\"aot-training-no-such-language\"}"),
                post("/code", "{\"code\":\"echo trained\"}"),
                get("/metrics"),
                get("/metrics/prometheus")));
        requests.addAll(fileRequests(directory));
        return requests;
    }

    /** Upload, info, list, search, download (whole and a range), replace and delete of files. */
    private static List<String> fileRequests(Path directory) {
        String file = directory.resolve("files/sub/training.txt").toString();
        String root = directory.resolve("files").toString();
        String boundary = "moat-aot-training";
        String multipart = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"metadata\"; filename=\"metadata\"\r\n"
                + "Content-Type: application/json\r\n\r\n"
                + "{\"path\":\"" + file + "\",\"mode\":644}\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"training.txt\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n"
                + "hello training\nsecond line\n\r\n"
                + "--" + boundary + "--\r\n";
        return List.of(
                postAs("/files/upload", "multipart/form-data; boundary=" + boundary, multipart),
                get("/files/info?path=" + file),
                get("/directories/list?depth=3&path=" + root),
                get("/files/search?pattern=**/*.txt&path=" + root),
                get("/files/download?path=" + file),
                getWithHeader("/files/download?path=" + file, "Range: bytes=2-5"),
                post("/files/replace?verbose=true", "{\"" + file + "\":{\"old\":\"line\",\"new\":\"row\"}}"),
                "DELETE /files?path=" + file + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                get("/files/info?path=" + file));
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    }

    static String post(String path, String json) {
        return postAs(path, "application/json", json);
    }

    private static String getWithHeader(String path, String header) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + header + "\r\n\r\n";
    }

    private static String postAs(String path, String contentType, String content) {
        byte[] body = content.getBytes(StandardCharsets.UTF_8);
        return "POST " + path
                + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: " + contentType + "\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n" + content;
    }

    private static void exchange(Path socket, String request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            OutputStream out = Channels.newOutputStream(channel);
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = Channels.newInputStream(channel);
            in.readAllBytes();
        }
    }
}
