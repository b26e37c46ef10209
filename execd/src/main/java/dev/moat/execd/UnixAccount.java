package dev.moat.execd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A user from {@code /etc/passwd}: what a command run as that uid gets for its group, HOME and USER. */
record UnixAccount(String name, int uid, int gid, String home) {

    private static final Path PASSWD = Path.of("/etc/passwd");

    /** The account with this uid, if {@code /etc/passwd} lists one. */
    static Optional<UnixAccount> byUid(int uid) {
        try {
            for (String line : Files.readAllLines(PASSWD, StandardCharsets.UTF_8)) {
                Optional<UnixAccount> account = parse(line);
                if (account.isPresent() && account.get().uid() == uid) {
                    return account;
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    // name:password:uid:gid:gecos:home:shell
    private static Optional<UnixAccount> parse(String line) {
        String[] fields = line.split(":", -1);
        if (fields.length < 7 || line.startsWith("#")) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    new UnixAccount(fields[0], Integer.parseInt(fields[2]), Integer.parseInt(fields[3]), fields[5]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
