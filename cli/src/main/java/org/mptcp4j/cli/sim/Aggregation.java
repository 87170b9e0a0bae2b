package org.mptcp4j.cli.sim;

import static org.mptcp4j.cli.sim.Markdown.fmt;
import static org.mptcp4j.cli.sim.MultipathRun.queue;
import static org.mptcp4j.cli.sim.ResultTable.mean;
import static org.mptcp4j.cli.sim.ResultTable.where;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.data.category.DefaultCategoryDataset;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.sim.topo.PathSpec;

/**
 * Bandwidth aggregation as Linux's selftest {@code simult_flows.sh} checks it: a client with two
 * paths to a server behind a router, paths of 10/10 or 30/10 Mbit/s with one-way delays (netem on
 * both ends of each path) of 0/0, 1/50 or 50/1 ms; a 16 MiB transfer in each direction must end
 * within the time the summed rate allows plus the script's 10 % for headers:
 * {@code 8 * size * 10 / (9 * (rate1 + rate2))}. (The script adds 400 ms for its tool's waits for
 * the joins, and 50 ms of slack, which a simulation does not need; both are shown.) As the script
 * runs upstream Linux, the experiment runs upstream Linux's CUBIC and default scheduler
 * ({@code linger}) unless told otherwise.
 */
final class Aggregation implements Experiment {
    /** The script's large file: {@code 2 * 2048 * 4096} bytes. */
    static final long SIZE_BYTES = 2L * 2048 * 4096;

    /** What the script adds to the limit: 400 ms for its tool's waits for the joins, 50 ms of slack. */
    static final double SCRIPT_EXTRA_SECONDS = 0.45;

    /** The script's cases: rates (Mbit/s) and one-way delays (ms) of the two paths. */
    private static final int[][] CASES = {
            {10, 10, 0, 0}, {10, 10, 1, 50}, {30, 10, 0, 0}, {30, 10, 1, 50}, {30, 10, 50, 1}};
    private static final String[] NAMES = {
            "balanced bwidth", "balanced bwidth with unbalanced delay", "unbalanced bwidth",
            "unbalanced bwidth with unbalanced delay", "unbalanced bwidth with opposed, unbalanced delay"};

    @Override
    public String name() {
        return "aggregation";
    }

    @Override
    public int defaultSeeds(boolean quick) {
        return 1;
    }

    /** Not a timed run: each transfer runs to its end (the duration bounds it at 60 s, as the script's timeout). */
    @Override
    public double defaultDurationSeconds(boolean quick) {
        return 60;
    }

    @Override
    public List<Run> runs(Settings s) {
        List<Run> runs = new ArrayList<>();
        for (int seed = 1; seed <= s.seeds(); seed++) {
            for (int[] c : CASES) {
                for (String dir : List.of("upload", "download")) {
                    Map<String, String> p = new LinkedHashMap<>();
                    p.put("rate1_mbps", Integer.toString(c[0]));
                    p.put("rate2_mbps", Integer.toString(c[1]));
                    p.put("delay1_ms", Integer.toString(c[2]));
                    p.put("delay2_ms", Integer.toString(c[3]));
                    p.put("direction", dir);
                    runs.add(new Run(runs.size(), p, seed));
                }
            }
        }
        return runs;
    }

    static double limitSeconds(int rate1, int rate2) {
        return SIZE_BYTES * 8.0 * 10 / (9.0 * (rate1 + rate2) * 1e6);
    }

    @Override
    public Map<String, Double> execute(Run run, Settings s) {
        int r1 = Integer.parseInt(run.params().get("rate1_mbps"));
        int r2 = Integer.parseInt(run.params().get("rate2_mbps"));
        int d1 = Integer.parseInt(run.params().get("delay1_ms"));
        int d2 = Integer.parseInt(run.params().get("delay2_ms"));
        PathSpec a = queue(s, PathSpec.of(r1 * SharedBottleneckRun.MBPS, Duration.ofMillis(d1)));
        PathSpec b = queue(s, PathSpec.of(r2 * SharedBottleneckRun.MBPS, Duration.ofMillis(d2)));
        MultipathRun.Transfer t = MultipathRun.transfer(run.seed(), a, b, s.cc(), s.scheduler(), s.receiveBuffer(), SIZE_BYTES,
                run.params().get("direction").equals("upload"), (long) (s.durationSeconds() * 1e9));
        double limit = limitSeconds(r1, r2);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("seconds", t.seconds());
        m.put("limit_seconds", limit);
        m.put("ideal_seconds", SIZE_BYTES * 8.0 / ((r1 + r2) * 1e6));
        m.put("within_limit", !Double.isNaN(t.seconds()) && t.seconds() <= limit ? 1.0 : 0.0);
        m.put("packets", (double) t.packets());
        return m;
    }

    @Override
    public void report(Settings s, List<ResultTable.Row> rows, Path out) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<List<String>> table = new ArrayList<>();
        for (int i = 0; i < CASES.length; i++) {
            int[] c = CASES[i];
            String x = c[0] + "/" + c[1] + " Mbit/s " + c[2] + "/" + c[3] + " ms";
            for (String dir : List.of("upload", "download")) {
                var m = where("rate1_mbps", Integer.toString(c[0]), "rate2_mbps", Integer.toString(c[1]),
                        "delay1_ms", Integer.toString(c[2]), "delay2_ms", Integer.toString(c[3]), "direction", dir);
                double sec = mean(rows, m, "seconds");
                double limit = limitSeconds(c[0], c[1]);
                data.addValue(sec, dir, x);
                boolean ok = rows.stream().filter(m).allMatch(r -> r.metric("within_limit") == 1.0);
                boolean okScript = rows.stream().filter(m)
                        .allMatch(r -> r.metric("seconds") <= r.metric("limit_seconds") + SCRIPT_EXTRA_SECONDS);
                table.add(List.of(NAMES[i] + (dir.equals("download") ? " - reverse direction" : ""), x,
                        fmt(sec, 2), fmt(limit, 2), fmt(limit + SCRIPT_EXTRA_SECONDS, 2),
                        fmt(100 * sec / mean(rows, m, "ideal_seconds"), 0) + " %", ok ? "OK" : "FAIL",
                        okScript ? "OK" : "FAIL"));
            }
            data.addValue(limitSeconds(c[0], c[1]), "limit (sum of rates + 10 %)", x);
        }
        Charts.bars(out.resolve("aggregation.png"), "Aggregation (simult_flows.sh): 16 MiB over two paths",
                "rates and one-way delays of the two paths", "transfer time (s)", data, false);
        new Markdown().heading("Aggregation: Linux's simult_flows.sh")
                .para("A client with two paths (rate and one-way delay in both directions on each, queues of %d "
                        + "packets) to a server behind a router; one MPTCP connection, a subflow per path (`subflow` "
                        + "endpoint, limits 1 1); congestion control %s, scheduler %s; 16 MiB of zeros to the server "
                        + "(upload) and from it (download, the script's reverse direction). Time from the connect to the "
                        + "receiver's end of stream.", s.queuePackets(), s.cc(), s.scheduler())
                .settings(s, rows.size())
                .table(List.of("case", "paths", "seconds", "limit (+10 %)", "script's max (+450 ms)",
                        "of the ideal time", "within +10 %", "within the script's max"), table)
                .para("![aggregation](aggregation.png)")
                .write(out.resolve("aggregation.md"));
    }
}
