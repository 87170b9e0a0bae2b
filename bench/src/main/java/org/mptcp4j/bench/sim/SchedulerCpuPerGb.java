package org.mptcp4j.bench.sim;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.mptcp4j.mptcp.SchedulerTrace;

/**
 * The scheduler runs per segment (the paper's worry, section 4.3): CPU seconds per GB of one bulk
 * transfer in the simulator ({@link SchedulerRuns}: 1, 2, 4, 8 alike paths of 100 Mbit/s, 10 ms,
 * and n times the bytes over n subflows, so that each subflow carries about as much, from slow
 * start to steady state, whatever n), both hosts and the network included, in CPU time of the running thread (wall time
 * swings on a shared machine), median of the measured runs, and each subflow count as a ratio to
 * the single subflow's figure measured in the same run. With {@code trace} in the list of
 * schedulers, {@code default} over 2 subflows runs again with a trace that counts the decisions
 * and drops them: the difference, per decision, is what the trace costs when on.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.mptcp4j.bench.sim.SchedulerCpuPerGb default,ecf,roundrobin 1,2,4,8 256 2 5</pre>
 *
 * Arguments: schedulers, subflow counts, MiB per subflow, warm-up runs, measured runs.
 */
public final class SchedulerCpuPerGb {
    private SchedulerCpuPerGb() {}

    public static void main(String[] args) {
        if (args.length != 5) {
            System.err.println("usage: SchedulerCpuPerGb SCHEDULERS[,trace] SUBFLOW_COUNTS MIB WARMUP_RUNS MEASURED_RUNS");
            System.exit(2);
        }
        long perSubflow = Long.parseLong(args[2]) << 20;
        int warmup = Integer.parseInt(args[3]);
        int measured = Integer.parseInt(args[4]);
        System.out.printf(Locale.ROOT, "n x %d MiB over n paths of 100 Mbit/s, 10 ms; CPU s per GB (median of %d runs after %d)%n",
                perSubflow >> 20, measured, warmup);
        for (String scheduler : args[0].split(",")) {
            if (scheduler.equals("trace")) {
                traceCost(2 * perSubflow, warmup, measured);
                continue;
            }
            double single = Double.NaN;
            for (String count : args[1].split(",")) {
                int n = Integer.parseInt(count);
                long bytes = n * perSubflow;
                int[] subflows = new int[1];
                double median = medianCpuSeconds(warmup, measured, () -> {
                    SchedulerRuns.Result r = SchedulerRuns.transfer(scheduler, n, bytes, null);
                    subflows[0] = r.subflows();
                }) / (bytes / 1e9);
                if (n == 1) {
                    single = median;
                }
                System.out.printf(Locale.ROOT, "%-12s %d subflow%s: %.3f CPU s/GB%s%n", scheduler, subflows[0],
                        subflows[0] == 1 ? " " : "s", median,
                        Double.isNaN(single) || n == 1 ? "" : String.format(Locale.ROOT, "  (%.3f x 1 subflow)", median / single));
            }
        }
    }

    /** default over 2 subflows with the trace off, then on (counting, not writing): CPU per decision. */
    private static void traceCost(long bytes, int warmup, int measured) {
        long[] decisions = new long[1];
        SchedulerTrace counting = d -> decisions[0]++;
        double off = medianCpuSeconds(warmup, measured, () -> SchedulerRuns.transfer("default", 2, bytes, null));
        double on = medianCpuSeconds(warmup, measured, () -> {
            decisions[0] = 0;
            SchedulerRuns.transfer("default", 2, bytes, counting);
        });
        System.out.printf(Locale.ROOT, "trace off %.3f CPU s, on %.3f CPU s (%d decisions): %.0f ns per decision when on%n",
                off, on, decisions[0], (on - off) * 1e9 / Math.max(1, decisions[0]));
    }

    private static double medianCpuSeconds(int warmup, int measured, Runnable run) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Double> cpu = new ArrayList<>();
        for (int i = 0; i < warmup + measured; i++) {
            long start = threads.getCurrentThreadCpuTime();
            run.run();
            long used = threads.getCurrentThreadCpuTime() - start;
            if (i >= warmup) {
                cpu.add(used / 1e9);
            }
        }
        Collections.sort(cpu);
        return cpu.get(cpu.size() / 2);
    }
}
