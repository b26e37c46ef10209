package dev.moat.execd;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The identity a command runs as when the request names a uid: that uid, the given gid or else the user's primary
 * group, and the user's supplementary groups (or none when a gid was given explicitly).
 */
record RunAs(int uid, int gid, Optional<UnixAccount> account, boolean explicitGroup) {

    /**
     * Checks and resolves a request's {@code uid}/{@code gid}; a gid without a uid, a negative id, or a uid with no
     * account and no gid are refused, as is a switch that execd's own uid does not allow.
     */
    static Optional<RunAs> resolve(Integer uid, Integer gid) {
        if (uid == null) {
            if (gid != null) {
                throw ExecdError.INVALID_REQUEST_BODY.exception("gid %d was given without uid; give uid too", gid);
            }
            return Optional.empty();
        }
        if (uid < 0 || (gid != null && gid < 0)) {
            throw ExecdError.INVALID_REQUEST_BODY.exception(
                    "uid and gid must be 0 or more, got uid %d gid %s", uid, gid);
        }
        Optional<UnixAccount> account = UnixAccount.byUid(uid);
        if (gid == null && account.isEmpty()) {
            throw ExecdError.INVALID_REQUEST_BODY.exception(
                    "uid %d has no entry in /etc/passwd, so its primary group is unknown; give gid too", uid);
        }
        int self = Libc.effectiveUid();
        if (self != 0 && self != uid) {
            throw ExecdError.PERMISSION_DENIED.exception(
                    "execd runs as uid %d and cannot start commands as uid %d; only a root execd can switch users",
                    self, uid);
        }
        int group = gid != null ? gid : account.orElseThrow().gid();
        return Optional.of(new RunAs(uid, group, account, gid != null));
    }

    /** The {@code setpriv} options that switch to this identity. */
    List<String> setprivOptions() {
        List<String> options = new ArrayList<>(List.of("--reuid=" + uid, "--regid=" + gid));
        options.add(explicitGroup || account.isEmpty() ? "--clear-groups" : "--init-groups");
        return options;
    }

    /** HOME, USER and LOGNAME of the account, as a login would set them. */
    Map<String, String> environment() {
        return account.map(a -> Map.of("HOME", a.home(), "USER", a.name(), "LOGNAME", a.name()))
                .orElse(Map.of());
    }
}
