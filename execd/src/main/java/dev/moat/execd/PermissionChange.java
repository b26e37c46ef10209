package dev.moat.execd;

import dev.moat.http.ApiError;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Optional;

/**
 * A validated change of mode, owner and group, each optional. Owner and group are names or numeric ids; they are
 * resolved when the change is made (through the JDK's lookup service, no process spawned), so an unknown name is
 * refused before any file is touched.
 */
record PermissionChange(Optional<OctalMode> mode, Optional<UserPrincipal> owner, Optional<GroupPrincipal> group) {

    static final PermissionChange NONE = new PermissionChange(Optional.empty(), Optional.empty(), Optional.empty());

    /**
     * The change the API fields ask for; {@code invalid} is the category of a bad value and {@code subject} names the
     * file in messages.
     */
    static PermissionChange of(Integer mode, String owner, String group, ApiError invalid, String subject) {
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        return new PermissionChange(
                OctalMode.parse(mode, invalid, subject),
                principal(
                        owner, "owner", "user name nor a numeric uid", subject, invalid, lookup::lookupPrincipalByName),
                principal(
                        group,
                        "group",
                        "group name nor a numeric gid",
                        subject,
                        invalid,
                        lookup::lookupPrincipalByGroupName));
    }

    PermissionChange withModeIfAbsent(OctalMode fallback) {
        return mode.isPresent() ? this : new PermissionChange(Optional.of(fallback), owner, group);
    }

    boolean changesOwnership() {
        return owner.isPresent() || group.isPresent();
    }

    /** Applies the change, following a symbolic link as chmod and chown do. */
    void applyTo(Path path) throws IOException {
        // ownership first: the kernel clears setuid and setgid when a file changes hands
        if (owner.isPresent()) {
            Files.setOwner(path, owner.get());
        }
        if (group.isPresent()) {
            Files.getFileAttributeView(path, PosixFileAttributeView.class).setGroup(group.get());
        }
        if (mode.isPresent()) {
            Files.setAttribute(path, "unix:mode", mode.get().bits());
        }
    }

    @FunctionalInterface
    private interface Lookup<P> {
        P find(String name) throws IOException;
    }

    private static <P extends UserPrincipal> Optional<P> principal(
            String name, String kind, String expected, String subject, ApiError invalid, Lookup<P> lookup) {
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        String trimmed = name.trim();
        try {
            if (trimmed.startsWith("-")) {
                throw new UserPrincipalNotFoundException(trimmed);
            }
            // the lookup service falls back to reading a number as a numeric id when no such name exists
            return Optional.of(lookup.find(trimmed));
        } catch (UserPrincipalNotFoundException e) {
            throw invalid.exception("%s '%s' of %s is neither a %s", kind, trimmed, subject, expected);
        } catch (IOException e) {
            throw invalid.exception("%s '%s' of %s cannot be looked up: %s", kind, trimmed, subject, e.getMessage());
        }
    }
}
