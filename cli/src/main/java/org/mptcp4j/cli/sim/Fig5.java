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

/**
 * The paper's Fig. 5: one regular Reno TCP connection beside one MPTCP connection with 1, 2 or 3
 * subflows through the same bottleneck, the subflows uncoupled (Reno) or coupled (LIA). Paper: LIA
 * stays fair for 1 to 3 subflows; Reno's unfairness grows with the number of subflows.
 */
final class Fig5 implements Experiment {
    @Override
    public String name() {
        return "fig5";
    }

    @Override
    public int defaultSeeds(boolean quick) {
        return quick ? 1 : 5;
    }

    @Override
    public double defaultDurationSeconds(boolean quick) {
        return quick ? 20 : 600;
    }

    private static List<Integer> subflowCounts(Settings s) {
        return s.quick() ? List.of(1, 3) : List.of(1, 2, 3);
    }

    @Override
    public List<Run> runs(Settings s) {
        List<Run> runs = new ArrayList<>();
        for (String cc : List.of("reno", s.coupledCc())) {
            for (int k : subflowCounts(s)) {
                for (int seed = 1; seed <= s.seeds(); seed++) {
                    Map<String, String> p = new LinkedHashMap<>();
                    p.put("mptcp_cc", cc);
                    p.put("tcp_flows", "1");
                    p.put("subflows", Integer.toString(k));
                    runs.add(new Run(runs.size(), p, seed));
                }
            }
        }
        return runs;
    }

    @Override
    public Map<String, Double> execute(Run run, Settings s) {
        return Fig4.congestion(run, s);
    }

    @Override
    public void report(Settings s, List<ResultTable.Row> rows, Path out) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<List<String>> table = new ArrayList<>();
        for (String cc : List.of("reno", s.coupledCc())) {
            for (int k : subflowCounts(s)) {
                var m = where("mptcp_cc", cc, "subflows", Integer.toString(k));
                String x = cc + ", " + k + " subflow" + (k == 1 ? "" : "s");
                double mp = mean(rows, m, "mptcp_mbps");
                double tcp = mean(rows, m, "tcp_mean_mbps");
                data.addValue(tcp, "regular TCP", x);
                data.addValue(mp, "MPTCP", x);
                String paper = k == 1 ? "fair (equal)" : cc.equals("reno") ? "MPTCP favoured, more with 3" : "fair";
                table.add(List.of(cc, Integer.toString(k), fmt(mp, 1) + " ± " + fmt(stdev(rows, m, "mptcp_mbps"), 1),
                        fmt(tcp, 1) + " ± " + fmt(stdev(rows, m, "tcp_mean_mbps"), 1),
                        fmt(mean(rows, m, "ratio_mptcp_to_tcp"), 2), paper));
            }
        }
        Charts.bars(out.resolve("fig5.png"), "Fig. 5: one TCP flow against MPTCP with 1 to 3 subflows",
                "MPTCP congestion control, subflows", "throughput (Mbit/s)", data, false);
        new Markdown().heading("Fig. 5: the number of subflows against one regular TCP")
                .para("Congestion testbed as in fig4 (100 Mbit/s, 10 ms, %d packets, %s %% random loss); one Reno TCP "
                        + "flow; one MPTCP connection whose subflows all cross the bottleneck.",
                        SharedBottleneckRun.QUEUE_PACKETS, fmt(s.bottleneckLossPercent(), 2))
                .settings(s, rows.size())
                .table(List.of("MPTCP cc", "subflows", "MPTCP Mbit/s", "TCP Mbit/s", "MPTCP / TCP", "paper"), table)
                .para("![fig5](fig5.png)")
                .write(out.resolve("fig5.md"));
    }
}
