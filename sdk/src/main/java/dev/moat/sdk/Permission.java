package dev.moat.sdk;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Mode and ownership to set on a file or a new directory. The mode is written the way chmod takes it, as octal digits
 * ({@code 755}), which is also how the execd API sends it. Owner and group are names or numeric ids; absent ones stay
 * as they are.
 */
public final class Permission {

    private final int mode;
    private final String owner;
    private final String group;

    private Permission(int mode, String owner, String group) {
        this.mode = checkOctalDigits(mode);
        this.owner = owner;
        this.group = group;
    }

    /** Mode {@code 755}, {@code 644}, … (octal digits, at most four). */
    public static Permission mode(int octalDigits) {
        return new Permission(octalDigits, null, null);
    }

    public Permission withOwner(String owner) {
        return new Permission(mode, Objects.requireNonNull(owner, "owner"), group);
    }

    public Permission withGroup(String group) {
        return new Permission(mode, owner, Objects.requireNonNull(group, "group"));
    }

    public int modeDigits() {
        return mode;
    }

    public Optional<String> owner() {
        return Optional.ofNullable(owner);
    }

    public Optional<String> group() {
        return Optional.ofNullable(group);
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        owner().ifPresent(value -> json.put("owner", value));
        group().ifPresent(value -> json.put("group", value));
        json.put("mode", mode);
        return json;
    }

    /** Refuses a mode that is not octal digits (like 0755 written in decimal as 493, or 800). */
    static int checkOctalDigits(int mode) {
        String digits = Integer.toString(mode);
        if (mode < 0 || digits.length() > 4 || !digits.chars().allMatch(c -> c >= '0' && c <= '7')) {
            throw new IllegalArgumentException(
                    "mode " + mode + " is not octal digits like 755 or 644 (write 755, not 0755 or 493)");
        }
        return mode;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Permission
                && mode == ((Permission) other).mode
                && Objects.equals(owner, ((Permission) other).owner)
                && Objects.equals(group, ((Permission) other).group);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, owner, group);
    }

    @Override
    public String toString() {
        return "Permission[mode=" + mode + ", owner=" + owner + ", group=" + group + "]";
    }
}
