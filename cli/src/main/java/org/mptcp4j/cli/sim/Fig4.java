package org.mptcp4j.cli.sim;

import static org.mptcp4j.cli.sim.Markdown.fmt;
import static org.mptcp4j.cli.sim.ResultTable.mean;
import static org.mptcp4j.cli.sim.ResultTable.stdev;
import static org.mptcp4j.cli.sim.ResultTable.where;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.data.category.DefaultCategoryDataset;
import org.mptcp4j.base.Nanos;

/**
 * The paper's Fig. 4: regular Reno TCP connections beside one MPTCP connection with two subflows
 * on the shared bottleneck of the congestion testbed, the subflows on uncoupled Reno or on a
 * coupled algorithm (LIA); the throughput of each against the number of regular connections.
 * Paper: with LIA, MPTCP gets about what one TCP flow gets; with Reno, more.
 */
final class Fig4 implements Experiment {
    @Override
    public String name() {
        return "fig4";
    }

    @Override
    public int defaultSeeds(boolean quick) {
        return quick ? 1 : 5;
    }

    @Override
    public double defaultDurationSeconds(boolean quick) {
        return quick ? 20 : 600;
    }

    private static List<Integer> tcpCounts(Settings s) {
        return s.quick() ? List.of(1, 2) : List.of(1, 2, 3, 4);
    }

    @Override
    public List<Run> runs(Settings s) {
        List<Run> runs = new ArrayList<>();
        for (String cc : List.of("reno", s.coupledCc())) {
            for (int n : tcpCounts(s)) {
                for (int seed = 1; seed <= s.seeds(); seed++) {
                    Map<String, String> p = new LinkedHashMap<>();
                    p.put("mptcp_cc", cc);
                    p.put("tcp_flows", Integer.toString(n));
                    p.put("subflows", "2");
                    runs.add(new Run(runs.size(), p, seed));
                }
            }
        }
        return runs;
    }

    @Override
    public Map<String, Double> execute(Run run, Settings s) {
        return congestion(run, s);
    }

    static Map<String, Double> congestion(Run run, Settings s) {
        SharedBottleneckRun.Result r = SharedBottleneckRun.run(run.seed(), run.params().get("mptcp_cc"),
                Integer.parseInt(run.params().get("tcp_flows")), Integer.parseInt(run.params().get("subflows")),
                s.bottleneckLossPercent(), (long) (s.durationSeconds() * 1e9));
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("mptcp_mbps", r.mptcpMbps());
        m.put("tcp_mean_mbps", r.tcpMeanMbps());
        m.put("tcp_total_mbps", r.tcpTotalMbps());
        m.put("ratio_mptcp_to_tcp", r.mptcpMbps() / r.tcpMeanMbps());
        m.put("bottleneck_drop_percent", r.bottleneckDropPercent());
        m.put("packets", (double) r.packets());
        return m;
    }

    @Override
    public void report(Settings s, List<ResultTable.Row> rows, Path out) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<List<String>> table = new ArrayList<>();
        for (String cc : List.of("reno", s.coupledCc())) {
            for (int n : tcpCounts(s)) {
                var m = where("mptcp_cc", cc, "tcp_flows", Integer.toString(n));
                String x = cc + ", " + n + " TCP";
                double mp = mean(rows, m, "mptcp_mbps");
                double tcp = mean(rows, m, "tcp_mean_mbps");
                data.addValue(tcp, "regular TCP (per flow)", x);
                data.addValue(mp, "MPTCP (2 subflows)", x);
                table.add(List.of(cc, Integer.toString(n), fmt(mp, 1) + " ± " + fmt(stdev(rows, m, "mptcp_mbps"), 1),
                        fmt(tcp, 1), fmt(mean(rows, m, "tcp_total_mbps"), 1), fmt(mean(rows, m, "ratio_mptcp_to_tcp"), 2),
                        fmt(mean(rows, m, "bottleneck_drop_percent"), 2),
                        cc.equals("reno") ? "more than one TCP flow" : "about one TCP flow"));
            }
        }
        Charts.bars(out.resolve("fig4.png"), "Fig. 4: MPTCP against n regular TCP flows",
                "MPTCP congestion control, regular TCP connections", "throughput (Mbit/s)", data, false);
        new Markdown().heading("Fig. 4: coupled congestion control against regular TCP")
                .para("Congestion testbed (paper Fig. 2): 100 Mbit/s bottleneck, 10 ms one way, drop-tail queue of %d "
                                + "packets, %s %% random loss on it; regular TCP on Reno; one MPTCP connection with two subflows. "
                                + "Throughput counted after the first %s s.",
                        SharedBottleneckRun.QUEUE_PACKETS, fmt(s.bottleneckLossPercent(), 2),
                        fmt(Math.min(10, s.durationSeconds() / 5), 0))
                .settings(s, rows.size())
                .table(List.of("MPTCP cc", "TCP flows", "MPTCP Mbit/s (± sd)", "TCP Mbit/s per flow", "TCP total",
                        "MPTCP / TCP flow", "drops %", "paper"), table)
                .para("![fig4](fig4.png)")
                .write(out.resolve("fig4.md"));
    }
}
