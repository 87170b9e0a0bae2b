package org.mptcp4j.cli.sim;

import static org.mptcp4j.cli.sim.Markdown.fmt;
import static org.mptcp4j.cli.sim.ResultTable.mean;
import static org.mptcp4j.cli.sim.ResultTable.where;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.mptcp4j.net.perf.MultipathTransfer;
import org.mptcp4j.net.testbed.TestbedConfig;

/**
 * The paper's CPU measurement: 1 to 8 subflows of one MPTCP connection over a shared gigabit
 * bottleneck (all on path A of the TUN testbed, tbf 1 Gbit/s, one local address per subflow), CPU
 * per GB delivered against the number of subflows, the sender and the receiver apart. Each point is
 * three one-way transfers on one testbed: kernel to kernel, mptcp4j to the kernel (mptcp4j's sender
 * cost) and the kernel to mptcp4j (its receiver cost). Paper: no significant increase with the
 * number of subflows; the receiver is busier than the sender (it reorders).
 */
final class Cpu extends TestbedExperiment {
    @Override
    public String name() {
        return "cpu";
    }

    private static List<Integer> subflows(Settings s) {
        return s.quick() ? List.of(1, 2) : List.of(1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Override
    public List<Run> runs(Settings s) {
        List<Run> runs = new ArrayList<>();
        for (int seed = 1; seed <= s.seeds(); seed++) {
            for (int n : subflows(s)) {
                runs.add(new Run(runs.size(), Map.of("subflows", Integer.toString(n)), seed));
            }
        }
        return runs;
    }

    @Override
    public Map<String, Double> execute(Run run, Settings s) {
        int n = Integer.parseInt(run.params().get("subflows"));
        TestbedConfig config = TestbedConfig.defaults("cpu").withRates(Fig8.GIGABIT, 0);
        MultipathTransfer.Setup setup = new MultipathTransfer.Setup(MultipathTransfer.Paths.SHARED_A, n,
                config.mtu() - 40, true, Long.MAX_VALUE, s.durationSeconds(), PORT);
        return threeTransfers(run, config, setup);
    }

    @Override
    public void report(Settings s, List<ResultTable.Row> rows, Path out) throws IOException {
        XYSeries[] series = {new XYSeries("mptcp4j sender"), new XYSeries("mptcp4j receiver"),
                new XYSeries("kernel sender (process)"), new XYSeries("kernel receiver (process)")};
        String[] metrics = {"mptcp4j_send_sender_cpu_s_per_gb", "mptcp4j_recv_receiver_cpu_s_per_gb",
                "kernel_sender_cpu_s_per_gb", "kernel_receiver_cpu_s_per_gb"};
        List<List<String>> table = new ArrayList<>();
        for (int n : subflows(s)) {
            var m = where("subflows", Integer.toString(n));
            List<String> row = new ArrayList<>(List.of(Integer.toString(n)));
            for (int i = 0; i < metrics.length; i++) {
                double v = mean(rows, m, metrics[i]);
                series[i].add(n, v);
                row.add(fmt(v, 2));
            }
            row.addAll(List.of(fmt(mean(rows, m, "mptcp4j_send_sender_user_cpu_s_per_gb"), 2),
                    fmt(mean(rows, m, "mptcp4j_recv_receiver_user_cpu_s_per_gb"), 2),
                    fmt(mean(rows, m, "mptcp4j_send_mbps"), 0), fmt(mean(rows, m, "mptcp4j_recv_mbps"), 0),
                    fmt(mean(rows, m, "kernel_mbps"), 0),
                    fmt(mean(rows, m, "kernel_subflows"), 0) + "/" + fmt(mean(rows, m, "mptcp4j_send_subflows"), 0)
                            + "/" + fmt(mean(rows, m, "mptcp4j_recv_subflows"), 0)));
            table.add(row);
        }
        XYSeriesCollection data = new XYSeriesCollection();
        for (XYSeries x : series) {
            data.addSeries(x);
        }
        double top = rows.stream().flatMap(r -> java.util.Arrays.stream(metrics).map(r::metric))
                .mapToDouble(Double::doubleValue).filter(Double::isFinite).max().orElse(1);
        Charts.lines(out.resolve("cpu.png"), "CPU per GB against the number of subflows",
                "subflows", "CPU seconds per GB", data, 0, Math.ceil(top * 1.1));
        new Markdown().heading("CPU cost against the number of subflows")
                .para("The TUN testbed, all subflows on path A (tbf 1 Gbit/s, MTU 1500, offloads on: veth TSO/GSO, "
                        + "mptcp4j's TUN with GSO out and TSO/GRO super-segments in), one local address per subflow; "
                        + "%s s of sending per transfer, no SHA-256 (byte counts checked). CPU seconds per GB "
                        + "delivered. mptcp4j: its Java threads (the reactor, which runs the stack and the TUN system "
                        + "calls, and the application thread), user + system, and user alone; the kernel: the "
                        + "kernel_peer.py process of that end, user + system from connection set-up to the end, which "
                        + "has the socket calls and the TCP work done in them but not softirq work that ran elsewhere.",
                        fmt(s.durationSeconds(), 0))
                .para("%s", settingsLine(s, rows.size())).para("%s", failuresLine(rows))
                .table(List.of("subflows", "mptcp4j sender", "mptcp4j receiver", "kernel sender", "kernel receiver",
                        "mptcp4j sender (user)", "mptcp4j receiver (user)", "mptcp4j -> kernel Mbit/s",
                        "kernel -> mptcp4j Mbit/s", "kernel -> kernel Mbit/s", "subflows (k/m/m)"), table)
                .para("Paper: the CPU cost does not increase significantly with the number of subflows; the receiver "
                        + "is busier than the sender, as it reorders.")
                .para("![cpu](cpu.png)")
                .write(out.resolve("cpu.md"));
    }
}
