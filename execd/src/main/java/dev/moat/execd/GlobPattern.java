package dev.moat.execd;

import java.util.regex.Pattern;

/**
 * A glob over {@code /}-separated paths: {@code *} and {@code ?} within one name, {@code [a-z]} and {@code [!a-z]}
 * classes, {@code {java,kt}} alternatives, {@code \} to escape, and {@code **} as a whole segment for any number of
 * directories, none included ({@code src/**}{@code /*.java} matches {@code src/A.java}). A pattern without {@code /}
 * matches an entry's name wherever it is in the tree ({@code *.txt} finds text files at any depth, as OpenSandbox's
 * execd does); a pattern with {@code /} matches the path relative to the search root.
 */
final class GlobPattern {

    private final Pattern regex;
    private final boolean byName;

    private GlobPattern(Pattern regex, boolean byName) {
        this.regex = regex;
        this.byName = byName;
    }

    /** Compiles {@code glob}; a malformed one (an unclosed bracket or brace) is an {@link IllegalArgumentException}. */
    static GlobPattern compile(String glob) {
        String trimmed = glob.replaceFirst("^/+", "");
        return new GlobPattern(Pattern.compile(translate(trimmed)), trimmed.indexOf('/') < 0);
    }

    /** Whether the entry at {@code relative} (its path below the root, {@code /}-separated) matches. */
    boolean matches(String relative) {
        String subject = byName ? relative.substring(relative.lastIndexOf('/') + 1) : relative;
        return regex.matcher(subject).matches();
    }

    private static String translate(String glob) {
        StringBuilder regex = new StringBuilder(glob.length() * 2);
        int braces = 0;
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> {
                    boolean doubled = i + 1 < glob.length() && glob.charAt(i + 1) == '*';
                    boolean segmentStart = i == 0 || glob.charAt(i - 1) == '/';
                    int after = doubled ? i + 2 : i + 1;
                    if (doubled && segmentStart && after < glob.length() && glob.charAt(after) == '/') {
                        regex.append("(?:[^/]*/)*"); // "**/": any number of directories, none included
                        i = after + 1;
                        continue;
                    }
                    if (doubled && segmentStart && after == glob.length()) {
                        regex.append(".*"); // a trailing "**": everything below
                        i = after;
                        continue;
                    }
                    regex.append("[^/]*");
                    i = after;
                    continue;
                }
                case '?' -> regex.append("[^/]");
                case '[' -> {
                    i = characterClass(glob, i, regex);
                    continue;
                }
                case '{' -> {
                    braces++;
                    regex.append("(?:");
                }
                case '}' -> {
                    if (braces == 0) {
                        throw new IllegalArgumentException("'}' at position " + i + " closes no '{'");
                    }
                    braces--;
                    regex.append(')');
                }
                case ',' -> regex.append(braces > 0 ? "|" : ",");
                case '\\' -> {
                    if (i + 1 == glob.length()) {
                        throw new IllegalArgumentException("the pattern ends with an escaping '\\'");
                    }
                    regex.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
                }
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
            i++;
        }
        if (braces > 0) {
            throw new IllegalArgumentException("a '{' is never closed");
        }
        return regex.toString();
    }

    /** Appends the class that starts at {@code start} ({@code [}); answers the position after its {@code ]}. */
    private static int characterClass(String glob, int start, StringBuilder regex) {
        int i = start + 1;
        StringBuilder members = new StringBuilder("[");
        if (i < glob.length() && (glob.charAt(i) == '!' || glob.charAt(i) == '^')) {
            members.append('^');
            i++;
        }
        boolean first = true;
        while (i < glob.length() && (first || glob.charAt(i) != ']')) {
            char c = glob.charAt(i);
            if (c == '\\' && i + 1 < glob.length()) {
                c = glob.charAt(++i);
            }
            if (c == '-' && !first && i + 1 < glob.length() && glob.charAt(i + 1) != ']') {
                members.append('-');
            } else {
                members.append(c == '\\' || c == '[' || c == ']' || c == '^' || c == '&' || c == '-' ? "\\" + c : c);
            }
            first = false;
            i++;
        }
        if (i >= glob.length()) {
            throw new IllegalArgumentException("'[' at position " + start + " is never closed");
        }
        // a class never matches the separator, as in every other part of a glob
        regex.append("(?:(?!/)").append(members).append("])");
        return i + 1;
    }
}
