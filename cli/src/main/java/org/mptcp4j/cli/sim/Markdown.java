package org.mptcp4j.cli.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** A markdown report under construction. */
final class Markdown {
    private final StringBuilder b = new StringBuilder();

    Markdown heading(String text) {
        b.append("# ").append(text).append("\n\n");
        return this;
    }

    Markdown para(String format, Object... args) {
        b.append(String.format(Locale.ROOT, format, args)).append("\n\n");
        return this;
    }

    Markdown table(List<String> header, List<List<String>> rows) {
        b.append("| ").append(String.join(" | ", header)).append(" |\n|");
        header.forEach(h -> b.append(" --- |"));
        b.append('\n');
        for (List<String> r : rows) {
            b.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        b.append('\n');
        return this;
    }

    Markdown settings(Settings s, int runs) {
        return para("Runs: %d (seeds 1..%d per point, %s simulated s each%s); command: `./mptcp4j sim <experiment> %s`.",
                runs, s.seeds(), fmt(s.durationSeconds(), 0), s.quick() ? ", --quick sweep" : "", s.asArguments());
    }

    void write(Path file) throws IOException {
        Files.writeString(file, b.toString());
    }

    static String fmt(double v, int decimals) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
