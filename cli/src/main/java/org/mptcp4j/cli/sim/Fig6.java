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
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.sim.topo.PathSpec;

/**
 * The paper's Fig. 6: two 100 Mbit/s paths, path B with an extra delay of 0, 10, 100 or 500 ms,
 * goodput against the maximum receive buffer (2 to 16 MB), with plain TCP over path A as the
 * reference. Paper: equal delays saturate both links from 2 MB; 10 ms unaffected; 100 ms slightly
 * lower (better at 4 MB); 500 ms much lower.
 *
 * <p>The extra delay adds to the round trip: half of it on each direction of path B (the paper's
 * router inserted it; it does not say in which direction).
 */
final class Fig6 implements Experiment {
    static final long PATH_BPS = 100 * SharedBottleneckRun.MBPS;

    @Override
    public String name() {
        return "fig6";
    }

    @Override
    public int defaultSeeds(boolean quick) {
        return 1;
    }

    @Override
    public double defaultDurationSeconds(boolean quick) {
        return quick ? 6 : 30;
    }

    private static List<Integer> delays(Settings s) {
        return s.quick() ? List.of(0, 100) : List.of(0, 10, 100, 500);
    }

    private static List<Integer> buffers(Settings s) {
        return s.quick() ? List.of(2, 8) : List.of(2, 4, 6, 8, 12, 16);
    }

    @Override
    public List<Run> runs(Settings s) {
        List<Run> runs = new ArrayList<>();
        for (int seed = 1; seed <= s.seeds(); seed++) {
            for (int mb : buffers(s)) {
                for (int d : delays(s)) {
                    runs.add(new Run(runs.size(), params("mptcp", d, mb), seed));
                }
                runs.add(new Run(runs.size(), params("tcp", 0, mb), seed));
            }
        }
        return runs;
    }

    private static Map<String, String> params(String mode, int delayMs, int mb) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("mode", mode);
        p.put("delay_b_ms", Integer.toString(delayMs));
        p.put("rcvbuf_mb", Integer.toString(mb));
        return p;
    }

    @Override
    public Map<String, Double> execute(Run run, Settings s) {
        int delayMs = Integer.parseInt(run.params().get("delay_b_ms"));
        int mb = Integer.parseInt(run.params().get("rcvbuf_mb"));
        PathSpec a = queue(s, PathSpec.of(PATH_BPS, Duration.ZERO));
        PathSpec b = queue(s, PathSpec.of(PATH_BPS, Duration.ofNanos(delayMs * 1_000_000L / 2)));
        MultipathRun.Result r = MultipathRun.run(run.seed(), a, b, run.params().get("mode").equals("mptcp"), s.cc(), s.scheduler(),
                mb << 20, s.autotune(), s.receiveBuffer(), (long) (s.durationSeconds() * 1e9));
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("goodput_mbps", r.goodputMbps());
        m.put("path_a_mbps", r.pathAMbps());
        m.put("path_b_mbps", r.pathBMbps());
        m.put("packets", (double) r.packets());
        return m;
    }

    @Override
    public void report(Settings s, List<ResultTable.Row> rows, Path out) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        List<String> header = new ArrayList<>(List.of("rcvbuf (MB)"));
        for (int d : delays(s)) {
            header.add("MPTCP (0 ms, " + d + " ms)");
        }
        header.add("TCP (0 ms)");
        List<List<String>> table = new ArrayList<>();
        for (int mb : buffers(s)) {
            List<String> line = new ArrayList<>(List.of(Integer.toString(mb)));
            for (int d : delays(s)) {
                line.add(fmt(mean(rows, where("mode", "mptcp", "delay_b_ms", Integer.toString(d), "rcvbuf_mb",
                        Integer.toString(mb)), "goodput_mbps"), 1));
            }
            line.add(fmt(mean(rows, where("mode", "tcp", "rcvbuf_mb", Integer.toString(mb)), "goodput_mbps"), 1));
            table.add(line);
        }
        for (int d : delays(s)) {
            XYSeries series = new XYSeries("MPTCP (0 msec, " + d + " msec)");
            for (int mb : buffers(s)) {
                series.add(mb, mean(rows, where("mode", "mptcp", "delay_b_ms", Integer.toString(d), "rcvbuf_mb",
                        Integer.toString(mb)), "goodput_mbps"));
            }
            data.addSeries(series);
        }
        XYSeries tcp = new XYSeries("TCP (0 msec)");
        for (int mb : buffers(s)) {
            tcp.add(mb, mean(rows, where("mode", "tcp", "rcvbuf_mb", Integer.toString(mb)), "goodput_mbps"));
        }
        data.addSeries(tcp);
        Charts.lines(out.resolve("fig6.png"), "Fig. 6: impact of the maximum receive buffer", "rcvbuf (MB)",
                "goodput (Mbit/s)", data, 0, 210);
        new Markdown().heading("Fig. 6: goodput against the maximum receive buffer")
                .para("Two disjoint 100 Mbit/s paths, drop-tail queues of %d packets, path B with the extra delay "
                        + "(half each way); congestion control %s; receive-buffer autotuning %s up to the maximum; the "
                        + "send buffer is as large as the maximum. Goodput counted at the receiver after the warm-up "
                        + "(%s s).", s.queuePackets(), s.cc(), s.autotune() ? "on" : "off", fmt(Math.min(5, s.durationSeconds() / 4), 1))
                .settings(s, rows.size())
                .table(header, table)
                .para("Paper: with equal delays MPTCP saturates both links (about 190 Mbit/s of goodput) from 2 MB; "
                        + "10 ms is not affected; 100 ms is slightly lower, better at 4 MB; 500 ms is much lower. TCP "
                        + "over path A alone: about 95 Mbit/s.")
                .para("![fig6](fig6.png)")
                .write(out.resolve("fig6.md"));
    }
}
