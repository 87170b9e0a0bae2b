package org.mptcp4j.cli.sim;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.mptcp4j.mptcp.ReceiveBufferPolicy;
import org.mptcp4j.mptcp.SlowSubflowAction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./mptcp4j sim <experiment>}: the paper's simulated experiments (Figs. 4 to 7) and Linux's
 * aggregation selftest, each a sweep of independent runs on a thread pool (one {@code Simulation}
 * per run, deterministic per seed), written as a CSV, a PNG and a markdown report. A sweep larger
 * than one machine splits into jobs ({@code --emit-jobs}, one command per run, each writing its
 * part with {@code --run}) and merges back ({@code --collect}).
 */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = "The paper's evaluation in the simulator: fig4, fig5, fig6, fig7, aggregation; on the TUN testbed "
                + "(root): fig8, cpu; or all. Writes <experiment>.csv, .png and .md under --out.")
public final class SimCommand implements Callable<Integer> {
    static final List<Experiment> EXPERIMENTS = List.of(new Fig4(), new Fig5(), new Fig6(), new Fig7(), new Aggregation(),
            new Fig8(), new Cpu());

    @Parameters(index = "0", description = "fig4, fig5, fig6, fig7, aggregation, fig8, cpu or all.")
    String experiment;

    @Option(names = "--out", defaultValue = "sim-results", description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seeds", description = "Seeds per point (default: 5 for fig4 and fig5 as the paper, 1 otherwise).")
    Integer seeds;

    @Option(names = "--duration", description = "Simulated seconds per run (default: 600 for fig4 and fig5 as the paper, "
            + "30 for fig6 and fig7; aggregation: the deadline of each transfer, 60).")
    Double durationSeconds;

    @Option(names = "--quick", description = "A small sweep: fewer points, 1 seed, short runs.")
    boolean quick;

    @Option(names = "--coupled-cc", defaultValue = "lia", description = "The coupled algorithm fig4 and fig5 set against "
            + "uncoupled Reno: lia (fixed point, as the paper), lia-exact, olia or balia (default ${DEFAULT-VALUE}).")
    String coupledCc;

    @Option(names = "--cc", description = "Every subflow's congestion control in fig6, fig7 and aggregation "
            + "(default: lia for fig6 and fig7, as the paper's kernel; cubic for aggregation, as upstream Linux).")
    String cc;

    @Option(names = "--scheduler", description = "The MPTCP scheduler at both ends in fig6, fig7 and aggregation: "
            + "default (the paper's: the lowest RTT with room), linger (upstream Linux's default: the subflow whose "
            + "queue drains first), ecf, blest, roundrobin, ... (default: default for fig6 and fig7, as the paper's "
            + "kernel; linger for aggregation, as upstream Linux).")
    String scheduler;

    @Option(names = "--autotune", defaultValue = "on", description = "Receive-buffer autotuning up to the maximum: on "
            + "(Linux) or off (the buffer is the maximum from the start) (default ${DEFAULT-VALUE}).")
    String autotune;

    @Option(names = "--opportunistic-retransmission", defaultValue = "off", description = "A subflow blocked by the "
            + "peer's connection-level window sends again the data at its left edge that a slower subflow holds, as the "
            + "paper's kernel did: on or off (default ${DEFAULT-VALUE}, as upstream Linux).")
    String opportunistic;

    @Option(names = "--penalization", defaultValue = "off", description = "In the same case, the slower subflow's "
            + "congestion window is reduced, at most once per its RTT: on or off (default ${DEFAULT-VALUE}).")
    String penalization;

    @Option(names = "--when-capped", defaultValue = "flag", description = "What the receiver does with the slowest "
            + "subflow when 2 x sum(BW) x RTT_max exceeds the maximum buffer: flag (count it), backup (MP_PRIO) or "
            + "close (MP_TCPRST 'unacceptable performance') (default ${DEFAULT-VALUE}).")
    String whenCapped;

    @Option(names = "--bottleneck-loss", defaultValue = "0.1", description = "Random loss on the shared bottleneck of "
            + "fig4 and fig5, percent (default ${DEFAULT-VALUE}; 0 for pure drop-tail).")
    double bottleneckLossPercent;

    @Option(names = "--queue", defaultValue = "1000", description = "Drop-tail queue of each path in fig6, fig7 and "
            + "aggregation, packets (default ${DEFAULT-VALUE}: Linux's txqueuelen and netem limit).")
    int queuePackets;

    @Option(names = "--threads", description = "Runs at once (default: the available processors).")
    Integer threads;

    @Option(names = "--emit-jobs", description = "Print one command line per run (a job array) instead of running.")
    boolean emitJobs;

    @Option(names = "--run", description = "Run only this run index and write its part (what an emitted job does).")
    Integer runIndex;

    @Option(names = "--collect", description = "Merge the parts the jobs wrote under this directory into the CSV, PNG and report.")
    Path collect;

    @Override
    public Integer call() throws Exception {
        List<Experiment> chosen = experiment.equals("all") ? EXPERIMENTS
                : EXPERIMENTS.stream().filter(e -> e.name().equals(experiment)).toList();
        if (chosen.isEmpty()) {
            System.err.println("unknown experiment " + experiment + " (fig4, fig5, fig6, fig7, aggregation, fig8, cpu, all)");
            return 2;
        }
        String missing = chosen.stream().anyMatch(Experiment::needsTestbed) ? TestbedExperiment.missingCapability() : null;
        if (missing != null) {
            if (chosen.size() == 1) {
                System.err.println(experiment + " runs on the TUN testbed and " + missing);
                return 2;
            }
            System.err.println("skipping fig8 and cpu: they run on the TUN testbed, which " + missing);
            chosen = chosen.stream().filter(e -> !e.needsTestbed()).toList();
        }
        for (String name : new String[] {coupledCc, cc}) {
            if (name != null && org.mptcp4j.cc.CongestionAlgorithm.byName(name).isEmpty()) {
                System.err.println("unknown congestion control " + name + " ("
                        + org.mptcp4j.cc.CongestionAlgorithm.names() + ")");
                return 2;
            }
        }
        if (scheduler != null && org.mptcp4j.mptcp.Scheduler.byName(scheduler).isEmpty()) {
            System.err.println("unknown scheduler " + scheduler + " (" + org.mptcp4j.mptcp.Scheduler.NAMES + ")");
            return 2;
        }
        if (chosen.size() > 1 && runIndex != null) {
            System.err.println("--run names a run of one experiment, not of all");
            return 2;
        }
        Files.createDirectories(out);
        boolean allOk = true;
        for (Experiment e : chosen) {
            try {
                allOk &= one(e);
            } catch (IOException ex) {
                System.err.println(e.name() + ": " + ex.getMessage());
                allOk = false;
            }
        }
        return allOk ? 0 : 1;
    }

    Settings settingsFor(Experiment e) {
        boolean autotuneOn = onOff("--autotune", autotune);
        ReceiveBufferPolicy receiveBuffer = new ReceiveBufferPolicy(onOff("--opportunistic-retransmission", opportunistic),
                onOff("--penalization", penalization), slowSubflowAction(whenCapped));
        // The aggregation reproduces Linux's selftest, so it runs what upstream Linux runs; fig6 and
        // fig7 reproduce the paper, whose kernel coupled its subflows and sent on the lowest RTT.
        String defaultCc = e instanceof Aggregation ? "cubic" : "lia";
        String defaultScheduler = e instanceof Aggregation ? "linger" : "default";
        return new Settings(seeds != null ? seeds : e.defaultSeeds(quick),
                durationSeconds != null ? durationSeconds : e.defaultDurationSeconds(quick), quick, coupledCc,
                cc != null ? cc : defaultCc, scheduler != null ? scheduler : defaultScheduler, autotuneOn,
                bottleneckLossPercent, queuePackets, receiveBuffer);
    }

    private static boolean onOff(String option, String value) {
        return switch (value) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(option + " on|off, not " + value);
        };
    }

    private static SlowSubflowAction slowSubflowAction(String value) {
        try {
            return SlowSubflowAction.byName(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--when-capped flag|backup|close, not " + value, e);
        }
    }

    private boolean one(Experiment e) throws IOException, InterruptedException, ExecutionException {
        Settings s = settingsFor(e);
        List<Experiment.Run> runs = e.runs(s);
        if (emitJobs) {
            for (Experiment.Run r : runs) {
                System.out.printf("./mptcp4j sim %s %s --run %d --out %s%n", e.name(), s.asArguments(), r.index(), out);
            }
            return true;
        }
        if (runIndex != null) {
            Experiment.Run r = runs.get(runIndex);
            writePart(out, e, r, e.execute(r, s));
            return true;
        }
        Path parts = collect != null ? collect : out;
        long wallStart = System.nanoTime();
        long packets = 0;
        if (collect == null) {
            ResultTable.clearParts(out, e.name());
            packets = runAll(e, s, runs);
        }
        List<ResultTable.Row> rows = ResultTable.readParts(parts, e.name(), runs.size(),
                runs.getFirst().params().size());
        Files.writeString(out.resolve(e.name() + ".csv"), ResultTable.mergedCsv(parts, e.name(), rows));
        e.report(s, rows, out);
        if (collect == null) {
            double wall = (System.nanoTime() - wallStart) / 1e9;
            String hops = e.needsTestbed() ? "on the testbed"
                    : String.format(Locale.ROOT, "%,d simulated packet hops (%.2f M/s)", packets, packets / wall / 1e6);
            System.out.printf(Locale.ROOT, "%s: %d runs in %.1f s of wall time, %s; %s/%s.{csv,png,md}%n", e.name(),
                    runs.size(), wall, hops, out, e.name());
        } else {
            System.out.printf("%s: %d runs collected from %s; %s/%s.{csv,png,md}%n", e.name(), runs.size(), collect, out,
                    e.name());
        }
        return true;
    }

    /** Runs every run on a pool of threads, writing each part as it ends; returns the packet hops simulated. */
    private long runAll(Experiment e, Settings s, List<Experiment.Run> runs) throws InterruptedException,
            ExecutionException, IOException {
        // Testbed runs measure real CPU and goodput: two at once would share the CPU they measure.
        int n = e.needsTestbed() ? 1 : threads != null ? threads : Runtime.getRuntime().availableProcessors();
        Progress progress = new Progress(e.name(), runs.size(), System.err);
        AtomicLong packets = new AtomicLong();
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, n))) {
            List<Future<?>> futures = new ArrayList<>();
            for (Experiment.Run r : runs) {
                futures.add(pool.submit(() -> {
                    Map<String, Double> m = e.execute(r, s);
                    packets.addAndGet(m.getOrDefault("packets", 0.0).longValue());
                    writePart(out, e, r, m);
                    progress.done();
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        progress.finish();
        return packets.get();
    }

    private static void writePart(Path dir, Experiment e, Experiment.Run r, Map<String, Double> metrics) {
        try {
            Path f = ResultTable.partFile(dir, e.name(), r.index());
            Files.createDirectories(f.getParent());
            Files.writeString(f, ResultTable.part(r, metrics));
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /** A progress bar on stderr: runs done of all, elapsed time, an estimate of what is left. */
    private static final class Progress {
        private final String name;
        private final int total;
        private final PrintStream err;
        private final long start = System.nanoTime();
        private final AtomicInteger done = new AtomicInteger();

        Progress(String name, int total, PrintStream err) {
            this.name = name;
            this.total = total;
            this.err = err;
            draw(0);
        }

        void done() {
            draw(done.incrementAndGet());
        }

        private synchronized void draw(int d) {
            int width = 30;
            int filled = total == 0 ? width : d * width / total;
            double elapsed = (System.nanoTime() - start) / 1e9;
            String eta = d == 0 ? "?" : String.format(Locale.ROOT, "%.0f s", elapsed / d * (total - d));
            err.printf(Locale.ROOT, "\r%-12s [%s%s] %d/%d runs, %.0f s, left ~%s   ", name, "#".repeat(filled),
                    " ".repeat(width - filled), d, total, elapsed, eta);
            err.flush();
        }

        void finish() {
            err.println();
        }
    }
}
