package dev.moat.builder;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns mmdebstrap's verbose output into progress a person can follow: its phases, its warnings and errors, and a
 * running count of installed packages, instead of the thousand lines apt and dpkg print. Keeps the error lines for
 * the failure message.
 */
final class MmdebstrapOutput {

    private static final Pattern NEWLY_INSTALLED = Pattern.compile("^\\d+ upgraded, (\\d+) newly installed.*");
    private static final int REPORT_EVERY = 25;
    private static final int MAX_LINE = 240;

    private final Progress progress;
    private final List<String> errors = new ArrayList<>();
    private int total;
    private int setUp;
    private int downloaded;
    private String lastFetched = "";

    MmdebstrapOutput(Progress progress) {
        this.progress = progress;
    }

    synchronized void accept(String line) {
        if (line.startsWith("I: ")) {
            phase(line.substring(3));
        } else if (line.startsWith("W: ")) {
            progress.report("warning: " + shorten(line.substring(3)));
        } else if (line.startsWith("E: ")) {
            String error = shorten(line.substring(3));
            errors.add(error);
            progress.report("error: " + error);
        } else if (line.startsWith("Setting up ")) {
            setUp++;
            if (setUp % REPORT_EVERY == 0 || setUp == total) {
                progress.report(
                        total > 0 ? "set up " + setUp + "/" + total + " packages" : "set up " + setUp + " packages");
            }
        } else if (line.startsWith("Get:")) {
            downloaded++;
            if (downloaded % REPORT_EVERY == 0) {
                progress.report("downloaded " + downloaded + " files");
            }
        } else if (line.startsWith("Fetched ") && !line.equals(lastFetched)) {
            lastFetched = line;
            progress.report(line);
        } else {
            Matcher installing = NEWLY_INSTALLED.matcher(line);
            if (installing.matches() && total != Integer.parseInt(installing.group(1))) {
                total = Integer.parseInt(installing.group(1));
                setUp = 0;
                progress.report("installing " + total + " packages");
            }
        }
    }

    /** The {@code E:} lines seen so far. */
    synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    /** mmdebstrap's errors can quote whole dpkg command lines; the log keeps them in full. */
    private static String shorten(String text) {
        return text.length() <= MAX_LINE ? text : text.substring(0, MAX_LINE) + "…";
    }

    private void phase(String text) {
        total = 0;
        setUp = 0;
        downloaded = 0;
        // hook lines repeat our own shell commands; the phases around them say enough
        if (!(text.startsWith("running ") && text.contains("hook"))) {
            progress.report(text);
        }
    }
}
