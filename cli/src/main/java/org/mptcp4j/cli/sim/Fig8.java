package org.mptcp4j.cli.sim;

import static org.mptcp4j.cli.sim.Markdown.fmt;
import static org.mptcp4j.cli.sim.ResultTable.mean;
import static org.mptcp4j.cli.sim.ResultTable.where;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.mptcp4j.net.perf.MultipathTransfer;
import org.mptcp4j.net.testbed.TestbedConfig;

/**
 * The paper's Fig. 8: goodput against the MSS with one or two gigabit paths, on the TUN testbed
 * (tbf 1 Gbit/s on each path), the MSS set through the path MTU (MTU = MSS + 40, so that the MSS
 * both ends announce is the swept value). Each point is three one-way MPTCP transfers on one
 * testbed: kernel to kernel (the reference), mptcp4j to the kernel and the kernel to mptcp4j, with
 * one subflow (path A) or two (A and B). Paper: an MSS of 1400 bytes fills one gigabit link and part
 * of a second, 4500 fills two. Swept with the offloads off (veths without TSO/GSO/GRO, mptcp4j's
 * TUN one packet per segment: the CPU pays per MTU-sized packet) and on (64 KB super-segments
 * through veths and TUN).
 */
final class Fig8 extends TestbedExperiment {
    static final List<Integer> MSS = List.of(1400, 2000, 3000, 4500, 8000);
    static final long GIGABIT = 1_000_000_000L;

    @Override
    public String name() {
        return "fig8";
    }

    private static List<Integer> mss(Settings s) {
        return s.quick() ? List.of(1400, 4500) : MSS;
    }

    private static List<Integer> paths(Settings s) {
        return s.quick() ? List.of(2) : List.of(1, 2);
    }

    /**
     * Offloads off first (the paper's setting, drawn as fig8.png), then on. The quick sweep has them
     * on only: without GSO, mptcp4j's MPTCP sender stays at its initial window (docs/EVALUATION.md).
     */
    private static List<String> offloads(Settings s) {
        return s.quick() ? List.of("on") : List.of("off", "on");
    }

    @Override
    public List<Run> runs(Settings s) {
        List<Run> runs = new ArrayList<>();
        for (int seed = 1; seed <= s.seeds(); seed++) {
            for (String offload : offloads(s)) {
                for (int paths : paths(s)) {
                    for (int mss : mss(s)) {
                        Map<String, String> p = new LinkedHashMap<>();
                        p.put("offload", offload);
                        p.put("paths", Integer.toString(paths));
                        p.put("mss", Integer.toString(mss));
                        runs.add(new Run(runs.size(), p, seed));
                    }
                }
            }
        }
        return runs;
    }

    @Override
    public Map<String, Double> execute(Run run, Settings s) {
        boolean offload = run.params().get("offload").equals("on");
        int paths = Integer.parseInt(run.params().get("paths"));
        int mss = Integer.parseInt(run.params().get("mss"));
        TestbedConfig config = TestbedConfig.defaults("fig8").withMtu(mss + 40).withRates(GIGABIT, GIGABIT)
                .withOffload(offload);
        MultipathTransfer.Setup setup = new MultipathTransfer.Setup(
                paths == 1 ? MultipathTransfer.Paths.ONE : MultipathTransfer.Paths.BOTH, paths, mss, offload,
                Long.MAX_VALUE, s.durationSeconds(), PORT);
        return threeTransfers(run, config, setup);
    }

    @Override
    public void report(Settings s, List<ResultTable.Row> rows, Path out) throws IOException {
        Markdown md = new Markdown().heading("Fig. 8: goodput against the MSS, one or two gigabit paths")
                .para("The TUN testbed, tbf 1 Gbit/s on each path, MTU = MSS + 40; MPTCP with one subflow (path A) or "
                        + "two (A and B); %s s of sending per transfer, no SHA-256 (byte counts checked). Goodput at the "
                        + "receiver, Mbit/s. CPU: seconds per GB delivered; mptcp4j's = its Java threads (reactor and "
                        + "application, user + system); the kernel's = the kernel_peer.py process (user + system, "
                        + "softirq work elsewhere not seen).", fmt(s.durationSeconds(), 0))
                .para("%s", settingsLine(s, rows.size())).para("%s", failuresLine(rows));
        boolean first = true;
        for (String offload : offloads(s)) {
            String png = first ? "fig8.png" : "fig8-offload-" + offload + ".png";
            first = false;
            report(s, rows, out, md, offload, png);
        }
        md.para("Paper: with an MSS of 1400 bytes MPTCP fills one gigabit link and part of the second; with 4500 bytes "
                + "it fills both; \"with TSO\" it expects a lower CPU cost.");
        md.write(out.resolve("fig8.md"));
    }

    private static void report(Settings s, List<ResultTable.Row> rows, Path out, Markdown md, String offload, String png)
            throws IOException {
        List<String> header = new ArrayList<>(List.of("MSS"));
        List<String> cpuHeader = new ArrayList<>(List.of("MSS"));
        for (int paths : paths(s)) {
            String p = paths == 1 ? "1 path" : "2 paths";
            header.addAll(List.of("kernel -> kernel, " + p, "mptcp4j -> kernel, " + p, "kernel -> mptcp4j, " + p,
                    "subflows (k/m/m)"));
            cpuHeader.addAll(List.of("kernel sender, " + p, "kernel receiver, " + p, "mptcp4j sender, " + p,
                    "mptcp4j receiver, " + p));
        }
        XYSeriesCollection data = new XYSeriesCollection();
        List<List<String>> table = new ArrayList<>();
        List<List<String>> cpu = new ArrayList<>();
        for (int mss : mss(s)) {
            List<String> row = new ArrayList<>(List.of(Integer.toString(mss)));
            List<String> cpuRow = new ArrayList<>(List.of(Integer.toString(mss)));
            for (int paths : paths(s)) {
                var m = where("offload", offload, "paths", Integer.toString(paths), "mss", Integer.toString(mss));
                row.addAll(List.of(fmt(mean(rows, m, "kernel_mbps"), 0), fmt(mean(rows, m, "mptcp4j_send_mbps"), 0),
                        fmt(mean(rows, m, "mptcp4j_recv_mbps"), 0),
                        fmt(mean(rows, m, "kernel_subflows"), 0) + "/" + fmt(mean(rows, m, "mptcp4j_send_subflows"), 0)
                                + "/" + fmt(mean(rows, m, "mptcp4j_recv_subflows"), 0)));
                cpuRow.addAll(List.of(fmt(mean(rows, m, "kernel_sender_cpu_s_per_gb"), 2),
                        fmt(mean(rows, m, "kernel_receiver_cpu_s_per_gb"), 2),
                        fmt(mean(rows, m, "mptcp4j_send_sender_cpu_s_per_gb"), 2),
                        fmt(mean(rows, m, "mptcp4j_recv_receiver_cpu_s_per_gb"), 2)));
            }
            table.add(row);
            cpu.add(cpuRow);
        }
        for (int paths : paths(s)) {
            String links = paths == 1 ? "1 link" : "2 links";
            for (String[] series : new String[][] {{"kernel_mbps", "kernel -> kernel, "}, {"mptcp4j_send_mbps", "mptcp4j -> kernel, "},
                    {"mptcp4j_recv_mbps", "kernel -> mptcp4j, "}}) {
                XYSeries xy = new XYSeries(series[1] + links);
                for (int mss : mss(s)) {
                    xy.add(mss, mean(rows, where("offload", offload, "paths", Integer.toString(paths), "mss",
                            Integer.toString(mss)), series[0]));
                }
                data.addSeries(xy);
            }
        }
        String title = "Fig. 8: goodput against the MSS, offloads " + offload;
        Charts.lines(out.resolve(png), title, "MSS (bytes)", "goodput (Mbit/s)", data, 0, 2100);
        md.para("## Offloads %s%s", offload, offload.equals("off")
                        ? " (veths without TSO/GSO/GRO, mptcp4j's TUN one packet per segment)"
                        : " (veths with TSO/GSO, mptcp4j's TUN with GSO out and TSO/GRO super-segments in)")
                .table(header, table)
                .para("CPU seconds per GB delivered:")
                .table(cpuHeader, cpu)
                .para("![fig8, offloads %s](%s)", offload, png);
    }
}
