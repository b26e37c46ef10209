package dev.moat.execd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The live bash sessions by id, at most {@value #MAX_SESSIONS} at a time. A session whose shell exits is dropped; on
 * close every session is killed. Also owns the one-line wrapper file all sessions source (in a private directory).
 */
final class SessionRegistry implements AutoCloseable {

    static final int MAX_SESSIONS = 100;

    private final CommandRunner runner;
    private final Map<String, BashSession> sessions = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private Path directory;

    SessionRegistry(CommandRunner runner) {
        this.runner = runner;
    }

    /** Starts a new session in {@code cwd} (else execd's directory). */
    BashSession create(Optional<Path> cwd) {
        lock.lock();
        try {
            if (sessions.size() >= MAX_SESSIONS) {
                throw ExecdError.CONFLICT.exception(
                        "%d sessions are open, the most execd keeps; delete one with DELETE /session/{id} first",
                        MAX_SESSIONS);
            }
            String id = newId();
            BashSession session = BashSession.start(id, cwd, wrapper(), runner);
            sessions.put(id, session);
            session.exited().thenRun(() -> sessions.remove(id, session));
            return session;
        } finally {
            lock.unlock();
        }
    }

    Optional<BashSession> find(String id) {
        return Optional.ofNullable(sessions.get(id));
    }

    /** The session with this id, or a 404 that says so. */
    BashSession get(String id) {
        return find(id).orElseThrow(() -> ExecdError.SESSION_NOT_FOUND.exception(
                "no session '%s': it was never created, was deleted, or its shell exited; create one with POST"
                        + " /session",
                id));
    }

    /** Kills the session's shell and its processes. */
    void delete(String id) {
        BashSession session = sessions.remove(id);
        if (session == null) {
            throw ExecdError.SESSION_NOT_FOUND.exception("no session '%s' to delete", id);
        }
        session.end("the session was deleted");
    }

    private String newId() {
        String id;
        do {
            byte[] random = new byte[8];
            ThreadLocalRandom.current().nextBytes(random);
            id = "session-" + HexFormat.of().formatHex(random);
        } while (sessions.containsKey(id));
        return id;
    }

    private Path wrapper() {
        try {
            if (directory == null) {
                directory = Files.createTempDirectory(
                        "moat-execd-sessions-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                Files.writeString(directory.resolve("run.sh"), SessionScript.WRAPPER);
            }
            return directory.resolve("run.sh");
        } catch (IOException e) {
            throw ExecdError.RUNTIME_ERROR.exception("cannot write the session wrapper script: %s", e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        List<BashSession> open = List.copyOf(sessions.values());
        sessions.clear();
        open.forEach(session -> session.end("execd is shutting down"));
        lock.lock();
        try {
            if (directory != null) {
                Files.deleteIfExists(directory.resolve("run.sh"));
                Files.deleteIfExists(directory);
                directory = null;
            }
        } finally {
            lock.unlock();
        }
    }
}
