package dev.moat.execd;

import dev.moat.http.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The connection file of one kernel: five TCP ports on 127.0.0.1 and the HMAC-SHA256 key that signs every message.
 * The kernel binds the ports; execd connects to them.
 */
record ConnectionInfo(int shellPort, int iopubPort, int stdinPort, int controlPort, int heartbeatPort, String key) {

    static final String IP = "127.0.0.1";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Five ports that are free right now and a fresh 256-bit key. */
    static ConnectionInfo allocate() throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            // hold all five at once so that the OS cannot hand the same port out twice
            for (int i = 0; i < 5; i++) {
                held.add(new ServerSocket(0, 1, InetAddress.getByName(IP)));
            }
            byte[] key = new byte[32];
            RANDOM.nextBytes(key);
            return new ConnectionInfo(
                    held.get(0).getLocalPort(),
                    held.get(1).getLocalPort(),
                    held.get(2).getLocalPort(),
                    held.get(3).getLocalPort(),
                    held.get(4).getLocalPort(),
                    HexFormat.of().formatHex(key));
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
    }

    int port(KernelChannel channel) {
        return switch (channel) {
            case SHELL -> shellPort;
            case IOPUB -> iopubPort;
            case STDIN -> stdinPort;
            case CONTROL -> controlPort;
            case HEARTBEAT -> heartbeatPort;
        };
    }

    String endpoint(KernelChannel channel) {
        return "tcp://" + IP + ":" + port(channel);
    }

    /** Writes the file the kernel reads, readable by its owner only since it holds the key. */
    void writeTo(Path file, String kernelName) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("transport", "tcp");
        json.put("ip", IP);
        json.put("shell_port", shellPort);
        json.put("iopub_port", iopubPort);
        json.put("stdin_port", stdinPort);
        json.put("control_port", controlPort);
        json.put("hb_port", heartbeatPort);
        json.put("signature_scheme", "hmac-sha256");
        json.put("key", key);
        json.put("kernel_name", kernelName);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, Json.mapper().writeValueAsBytes(json));
    }
}
