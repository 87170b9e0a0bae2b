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
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.topo.PathSpec;

/**
 * The paper's Fig. 7: two 100 Mbit/s paths without delay, random loss of 0 to 5 % on path B
 * only; the goodput of each subflow. Paper: path A's subflow stays stable up to 3 % and dips
 * slightly at 4-5 %; path B's falls with the loss.
 */
final class Fig7 implements Experiment {
    @Override
    public String name() {
        return "fig7";
    }

    @Override
    public int defaultSeeds(boolean quick) {
        return 1;
    }

    @Override
    public double defaultDurationSeconds(boolean quick) {
        return quick ? 6 : 30;
    }

    private static List<Integer> losses(Settings s) {
        return s.quick() ? List.of(0, 3) : List.of(0, 1, 2, 3, 4, 5);
    }

    /** The paper's receive buffer for this experiment is not given; Linux's default maximum (tcp_rmem[2]). */
    static final int RCVBUF_BYTES = 6 << 20;

    @Override
    public List<Run> runs(Settings s) {
        List<Run> runs = new ArrayList<>();
        for (int seed = 1; seed <= s.seeds(); seed++) {
            for (int loss : losses(s)) {
                Map<String, String> p = new LinkedHashMap<>();
                p.put("loss_b_percent", Integer.toString(loss));
                runs.add(new Run(runs.size(), p, seed));
            }
        }
        return runs;
    }

    @Override
    public Map<String, Double> execute(Run run, Settings s) {
        int loss = Integer.parseInt(run.params().get("loss_b_percent"));
        PathSpec a = queue(s, PathSpec.of(Fig6.PATH_BPS, Duration.ZERO));
        PathSpec b = queue(s, PathSpec.of(Fig6.PATH_BPS, Duration.ZERO)).withLoss(LossModel.bernoulli(loss / 100.0));
        MultipathRun.Result r = MultipathRun.run(run.seed(), a, b, true, s.cc(), s.scheduler(), RCVBUF_BYTES, s.autotune(),
                s.receiveBuffer(), (long) (s.durationSeconds() * 1e9));
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("goodput_mbps", r.goodputMbps());
        m.put("path_a_mbps", r.pathAMbps());
        m.put("path_b_mbps", r.pathBMbps());
        m.put("packets", (double) r.packets());
        return m;
    }

    @Override
    public void report(Settings s, List<ResultTable.Row> rows, Path out) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<List<String>> table = new ArrayList<>();
        for (int loss : losses(s)) {
            var m = where("loss_b_percent", Integer.toString(loss));
            double pa = mean(rows, m, "path_a_mbps");
            double pb = mean(rows, m, "path_b_mbps");
            data.addValue(pa, "subflow over link A", loss + " %");
            data.addValue(pb, "subflow over link B (lossy)", loss + " %");
            table.add(List.of(loss + " %", fmt(pa, 1), fmt(pb, 1), fmt(mean(rows, m, "goodput_mbps"), 1)));
        }
        Charts.bars(out.resolve("fig7.png"), "Fig. 7: impact of the packet loss ratio on link B", "loss on link B",
                "goodput (Mbit/s)", data, true);
        new Markdown().heading("Fig. 7: per-subflow goodput against the loss on path B")
                .para("Two disjoint 100 Mbit/s paths, no delay, queues of %d packets, random loss on path B towards the "
                        + "receiver; congestion control %s; maximum receive buffer %d MB (autotuning %s).", s.queuePackets(), s.cc(),
                        RCVBUF_BYTES >> 20, s.autotune() ? "on" : "off")
                .settings(s, rows.size())
                .table(List.of("loss on B", "subflow A Mbit/s", "subflow B Mbit/s", "connection Mbit/s"), table)
                .para("Paper: without loss both links are saturated; the subflow over link A stays stable at 1, 2 and "
                        + "3 %% and decreases slightly at 4 and 5 %%; the subflow over link B decreases with the loss.")
                .para("![fig7](fig7.png)")
                .write(out.resolve("fig7.md"));
    }
}
