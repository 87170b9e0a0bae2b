package org.mptcp4j.cli.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.cli.Main;

/** {@code ./mptcp4j sim}: a sweep split into jobs and collected equals the same sweep run locally. */
class SimCommandTest {
    private static final String[] SWEEP = {"sim", "fig7", "--quick", "--duration", "2"};

    @Test
    void emitJobs_runEachJob_thenCollect_sameCsvAndReportAsALocalRun(@TempDir Path tmp) throws IOException {
        Path local = tmp.resolve("local");
        Path parts = tmp.resolve("parts");
        Path merged = tmp.resolve("merged");
        assertThat(Main.run(with(SWEEP, "--out", local.toString()))).isZero();

        String jobs = stdout(() -> Main.run(with(SWEEP, "--emit-jobs", "--out", parts.toString())));
        List<String> lines = jobs.lines().toList();
        for (String line : lines) {
            assertThat(line).startsWith("./mptcp4j sim fig7 ");
            assertThat(Main.run(line.substring("./mptcp4j ".length()).split(" "))).as(line).isZero();
        }
        assertThat(Main.run(with(SWEEP, "--collect", parts.toString(), "--out", merged.toString()))).isZero();

        assertThat(lines).as("one job per run: losses 0 and 3 %%").hasSize(2);
        assertThat(merged.resolve("fig7.csv")).hasSameTextualContentAs(local.resolve("fig7.csv"));
        assertThat(merged.resolve("fig7.md")).hasSameTextualContentAs(local.resolve("fig7.md"));
        assertThat(merged.resolve("fig7.png")).isNotEmptyFile();
        assertThat(Files.readString(local.resolve("fig7.md"))).contains("| 0 % |", "| 3 % |", "![fig7](fig7.png)");
    }

    @Test
    void collect_aJobMissing_failsAndNamesIt(@TempDir Path tmp) throws IOException {
        Path parts = tmp.resolve("parts");
        String jobs = stdout(() -> Main.run(with(SWEEP, "--emit-jobs", "--out", parts.toString())));
        String first = jobs.lines().findFirst().orElseThrow();
        assertThat(Main.run(first.substring("./mptcp4j ".length()).split(" "))).isZero();

        String err = stderr(() -> Main.run(with(SWEEP, "--collect", parts.toString(), "--out", tmp.toString())));

        assertThat(err).contains("run 1 has no part", "--run 1");
    }

    @Test
    void localRun_inTheDirectoryOfALargerSweep_reportsOnlyItsOwnRuns(@TempDir Path tmp) throws IOException {
        assertThat(Main.run("sim", "fig7", "--duration", "1", "--out", tmp.toString())).isZero();
        assertThat(Files.readAllLines(tmp.resolve("fig7.csv"))).as("header and losses 0 to 5 %%").hasSize(7);

        assertThat(Main.run(with(SWEEP, "--out", tmp.toString()))).isZero();

        assertThat(Files.readAllLines(tmp.resolve("fig7.csv"))).as("header and losses 0 and 3 %%").hasSize(3);
    }

    private static String[] with(String[] base, String... more) {
        List<String> all = new ArrayList<>(Arrays.asList(base));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static String stdout(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        System.setOut(new PrintStream(b, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private static String stderr(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        System.setErr(new PrintStream(b, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
